import { LIMITS } from '@confab/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangeStore,
  HistoryStore,
  ReactionChange,
  StoredDirect,
  StoredMessage,
} from '../src/index.js';
import type { Backend } from './store-backends.js';

/** A history and the changes part of it (an edit or a delete works on the history's messages). */
export interface StoreWithChanges {
  history: HistoryStore;
  changes: ChangeStore;
}

/** A change to message `seq` of #den by `who`. */
function change(seq: number, emoji: string, who: string, remove = false): ReactionChange {
  return {
    roomKey: '#den',
    room: '#Den',
    seq,
    id: `m${seq}`,
    emoji,
    nameKey: who,
    name: who.toUpperCase(),
    remove,
  };
}

/** The contract every change store passes, on each backend. */
export function changesContract({ name, open, reopen }: Backend<StoreWithChanges>): void {
  describe(`${name} change store`, () => {
    let store: ChangeStore;
    let history: HistoryStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      let part: StoreWithChanges;
      ({ part, close } = await open());
      ({ changes: store, history } = part);
    });

    /** Says `text` in #den (as `owner`, answering `reply`); resolves with it as stored. */
    const say = (text: string, reply?: StoredMessage) =>
      history.append({
        id: `id-${text}`,
        roomKey: '#den',
        room: '#Den',
        from: 'ada',
        text,
        ts: 1,
        action: false,
        owner: 'a:ada',
        ...(reply ? { reply: { id: reply.id, from: reply.from, text: reply.text } } : {}),
      });
    const edit = (message: StoredMessage, text: string, ts = 5) =>
      store.edit({
        roomKey: '#den',
        room: '#Den',
        seq: message.seq,
        id: message.id,
        from: message.from,
        text,
        ts,
        excerpt: text,
      });
    const remove = (message: StoredMessage, by = 'mod') =>
      store.remove({
        roomKey: '#den',
        room: '#Den',
        seq: message.seq,
        id: message.id,
        from: message.from,
        by,
        ts: 9,
      });

    afterEach(async () => {
      await close();
    });

    it('counts who gave each emoji, once each, in the order first given, and numbers each change', async () => {
      expect(await store.rev('#den')).toBe(0);
      expect(await store.react(change(3, '👍', 'ada'))).toEqual({
        changed: true,
        rev: 1,
        count: 1,
      });
      expect(await store.react(change(3, '🎉', 'bob'))).toEqual({
        changed: true,
        rev: 2,
        count: 1,
      });
      expect(await store.react(change(3, '👍', 'bob'))).toEqual({
        changed: true,
        rev: 3,
        count: 2,
      });
      // Again: no news, no number.
      expect(await store.react(change(3, '👍', 'ada'))).toEqual({ changed: false });
      expect(await store.react(change(5, '❤️', 'ada', true))).toEqual({ changed: false });
      expect(await store.rev('#den')).toBe(3);
      const seen = await store.reactionsOf('#den', [3, 4], 'bob');
      expect([...seen]).toEqual([
        [
          3,
          [
            { emoji: '👍', count: 2, me: true },
            { emoji: '🎉', count: 1, me: true },
          ],
        ],
      ]);
      const byAda = await store.reactionsOf('#den', [3], 'ada');
      expect(byAda.get(3)).toEqual([
        { emoji: '👍', count: 2, me: true },
        { emoji: '🎉', count: 1 },
      ]);
      expect((await store.reactionsOf('#den', [3])).get(3)).toEqual([
        { emoji: '👍', count: 2 },
        { emoji: '🎉', count: 1 },
      ]);
      // Another room has its own numbering.
      expect(await store.react({ ...change(1, '👍', 'ada'), roomKey: '#else' })).toMatchObject({
        rev: 1,
      });
    });

    it('takes a reaction back, and forgets an emoji no one has', async () => {
      await store.react(change(1, '👍', 'ada'));
      await store.react(change(1, '👍', 'bob'));
      await store.react(change(1, '😮', 'bob'));
      expect(await store.react(change(1, '👍', 'ada', true))).toEqual({
        changed: true,
        rev: 4,
        count: 1,
      });
      expect(await store.react(change(1, '😮', 'bob', true))).toEqual({
        changed: true,
        rev: 5,
        count: 0,
      });
      expect((await store.reactionsOf('#den', [1], 'ada')).get(1)).toEqual([
        { emoji: '👍', count: 1 },
      ]);
      await store.react(change(1, '👍', 'bob', true));
      expect((await store.reactionsOf('#den', [1])).has(1)).toBe(false);
      // Gone whole, it still counts as changed: a client that had it must hear.
      expect(await store.changedAfter('#den', 5, 10)).toEqual([{ seq: 1, id: 'm1', rev: 6 }]);
    });

    it(`keeps a message to ${LIMITS.maxReactionKinds} different emoji, more of those it has`, async () => {
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
      for (const one of emoji.slice(0, LIMITS.maxReactionKinds))
        expect(await store.react(change(2, one, 'ada'))).toMatchObject({ changed: true });
      expect(await store.react(change(2, emoji[LIMITS.maxReactionKinds]!, 'ada'))).toEqual({
        changed: false,
        full: true,
      });
      expect(await store.react(change(2, emoji[0]!, 'bob'))).toMatchObject({ count: 2 });
      expect((await store.reactionsOf('#den', [2])).get(2)).toHaveLength(LIMITS.maxReactionKinds);
    });

    it('gives the messages changed after a rev, in the order of their last change', async () => {
      await store.react(change(1, '👍', 'ada')); // 1
      await store.react(change(2, '👍', 'ada')); // 2
      await store.react(change(3, '👍', 'ada')); // 3
      await store.react(change(1, '🎉', 'bob')); // 4: message 1 again
      expect(await store.changedAfter('#den', 0, 10)).toEqual([
        { seq: 2, id: 'm2', rev: 2 },
        { seq: 3, id: 'm3', rev: 3 },
        { seq: 1, id: 'm1', rev: 4 },
      ]);
      expect(await store.changedAfter('#den', 2, 1)).toEqual([{ seq: 3, id: 'm3', rev: 3 }]);
      expect(await store.changedAfter('#den', 4, 10)).toEqual([]);
      expect(await store.changedAfter('#nowhere', 0, 10)).toEqual([]);
    });

    it('edits a text: the history and the quotes of it give the new one, with the time', async () => {
      const first = await say('the meeting is at 3');
      const reply = await say('ok', first);
      await history.flush();
      expect(await edit(first, 'the meeting is at 4')).toEqual({ changed: true, rev: 1 });
      const page = await history.page('#den', { limit: 10 });
      expect(page[0]).toMatchObject({ text: 'the meeting is at 4', edited: 5, owner: 'a:ada' });
      expect(page[1]?.reply).toEqual({ id: first.id, from: 'ada', text: 'the meeting is at 4' });
      expect(await history.find('#den', first.id)).toMatchObject({ text: 'the meeting is at 4' });
      expect(await store.changedAfter('#den', 0, 10)).toEqual([
        { seq: first.seq, id: first.id, rev: 1 },
      ]);
      expect(reply.seq).toBe(2);
    });

    it('deletes a message: a tombstone in its place, its quotes, reactions and text gone', async () => {
      const first = await say('oops, my password is hunter2');
      const reply = await say('you should change it', first);
      await history.flush();
      await store.react({ ...change(first.seq, '😮', 'bob'), id: first.id });
      expect(await remove(first)).toEqual({ changed: true, rev: 2 });
      // Once only; and a deleted message is not edited.
      expect(await remove(first)).toEqual({ changed: false });
      expect(await edit(first, 'nothing')).toEqual({ changed: false });
      const page = await history.page('#den', { limit: 10 });
      expect(page.map((m) => m.seq)).toEqual([first.seq, reply.seq]);
      expect(page[0]).toMatchObject({ text: '', deletedBy: 'mod' });
      expect(page[0]?.edited).toBeUndefined();
      expect(page[1]?.reply).toEqual({ id: first.id, from: 'ada', text: '', deleted: true });
      expect((await store.reactionsOf('#den', [first.seq])).size).toBe(0);
      expect(await store.changedAfter('#den', 1, 10)).toEqual([
        { seq: first.seq, id: first.id, rev: 2 },
      ]);
    });

    /** Writes to `owner`'s mailbox (as ada, to bob; answering `reply`); resolves with it as kept. */
    const write = (owner: string, text: string, reply?: StoredDirect) =>
      history.appendDirect(owner, {
        id: `d-${text}`,
        from: 'ada',
        to: 'bob',
        text,
        ts: 1,
        action: false,
        fromIdentity: 'a:ada',
        toIdentity: 'g:bob',
        ...(reply ? { reply: { id: reply.id, from: reply.from, text: reply.text } } : {}),
      });

    it('changes a mailbox’s messages apart from a room’s and from other mailboxes', async () => {
      const first = await write('a:ada', 'see you at 3');
      const answer = await write('a:ada', 'ok', first);
      const theirs = await write('g:bob', 'see you at 3');
      await history.flush();
      await say('a room message');
      await history.flush();
      const inMailbox = { roomKey: 'a:ada', seq: first.dseq, id: first.id };
      expect(
        await store.react({
          ...inMailbox,
          emoji: '👍',
          nameKey: 'g:bob',
          name: 'bob',
          remove: false,
        }),
      ).toEqual({ changed: true, rev: 1, count: 1 });
      expect(
        await store.edit({
          ...inMailbox,
          from: 'ada',
          text: 'see you at 4',
          ts: 7,
          excerpt: 'see you at 4',
        }),
      ).toEqual({ changed: true, rev: 2 });
      const mine = await history.pageDirect('a:ada', { limit: 10 });
      expect(mine[0]).toMatchObject({ text: 'see you at 4', edited: 7, fromIdentity: 'a:ada' });
      expect(mine[1]?.reply).toEqual({ id: first.id, from: 'ada', text: 'see you at 4' });
      expect((await store.reactionsOf('a:ada', [first.dseq], 'g:bob')).get(first.dseq)).toEqual([
        { emoji: '👍', count: 1, me: true },
      ]);
      // The other end's copy, the room and its numbering are untouched.
      expect((await history.findDirect('g:bob', theirs.id))?.text).toBe('see you at 3');
      expect(await store.rev('g:bob')).toBe(0);
      expect(await store.rev('#den')).toBe(0);
      expect((await history.page('#den', { limit: 1 }))[0]?.text).toBe('a room message');
      expect(await store.remove({ ...inMailbox, from: 'ada', by: 'ada', ts: 9 })).toEqual({
        changed: true,
        rev: 3,
      });
      const after = await history.findDirect('a:ada', first.id);
      expect(after).toMatchObject({ text: '', deletedBy: 'ada' });
      expect(after?.edited).toBeUndefined();
      expect((await history.findDirect('a:ada', answer.id))?.reply).toEqual({
        id: first.id,
        from: 'ada',
        text: '',
        deleted: true,
      });
      expect((await store.reactionsOf('a:ada', [first.dseq])).size).toBe(0);
      expect(await store.changedAfter('a:ada', 0, 10)).toEqual([
        { seq: first.dseq, id: first.id, rev: 3 },
      ]);
    });

    if (reopen)
      it('keeps a mailbox’s changes across a restart', async () => {
        const kept = await write('a:ada', 'first draft');
        const gone = await write('a:ada', 'regret');
        await history.flush();
        const at = (message: StoredDirect) => ({
          roomKey: 'a:ada',
          seq: message.dseq,
          id: message.id,
          from: 'ada',
        });
        await store.edit({ ...at(kept), text: 'final draft', ts: 5, excerpt: 'final draft' });
        await store.remove({ ...at(gone), by: 'ada', ts: 6 });
        await store.react({
          ...at(kept),
          emoji: '🎉',
          nameKey: 'g:bob',
          name: 'bob',
          remove: false,
        });
        await close();
        let part: StoreWithChanges;
        ({ part, close } = await reopen());
        ({ changes: store, history } = part);
        const page = await history.pageDirect('a:ada', { limit: 10 });
        expect(page.map((m) => [m.text, m.edited, m.deletedBy, m.fromIdentity])).toEqual([
          ['final draft', 5, undefined, 'a:ada'],
          ['', undefined, 'ada', 'a:ada'],
        ]);
        expect(await store.rev('a:ada')).toBe(3);
        expect((await store.reactionsOf('a:ada', [kept.dseq])).get(kept.dseq)).toEqual([
          { emoji: '🎉', count: 1 },
        ]);
      });

    if (reopen)
      it('keeps edits and deletes across a restart', async () => {
        const kept = await say('first draft');
        const gone = await say('regret');
        await history.flush();
        await edit(kept, 'final draft');
        await remove(gone, 'ada');
        await close();
        let part: StoreWithChanges;
        ({ part, close } = await reopen());
        ({ changes: store, history } = part);
        const page = await history.page('#den', { limit: 10 });
        expect(page.map((m) => [m.text, m.edited, m.deletedBy])).toEqual([
          ['final draft', 5, undefined],
          ['', undefined, 'ada'],
        ]);
        expect(await store.rev('#den')).toBe(2);
      });

    if (reopen)
      it('keeps reactions and numbering across a restart', async () => {
        await store.react(change(7, '👍', 'ada'));
        await store.react(change(7, '🎉', 'bob'));
        await close();
        let part: StoreWithChanges;
        ({ part, close } = await reopen());
        ({ changes: store, history } = part);
        expect(await store.rev('#den')).toBe(2);
        expect((await store.reactionsOf('#den', [7], 'ada')).get(7)).toEqual([
          { emoji: '👍', count: 1, me: true },
          { emoji: '🎉', count: 1 },
        ]);
        expect(await store.react(change(7, '👍', 'bob'))).toEqual({
          changed: true,
          rev: 3,
          count: 2,
        });
      });
  });
}
