import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectDraft, HistoryStore, MailboxLimits, MessageDraft } from '../src/index.js';

/** Small mailbox bounds, so the contract can reach them. */
export const SMALL_MAILBOXES: MailboxLimits = {
  history: 40,
  waiting: 6,
  waitingBytes: 60,
  waitingPerSender: 3,
  waitingBytesPerSender: 30,
  guestTtlMs: 60_000,
};

let nextId = 0;
function draft(roomKey: string, text: string): MessageDraft {
  return {
    id: `id${nextId++}`,
    roomKey,
    room: roomKey,
    from: 'ada',
    text,
    ts: 1_700_000_000_000 + nextId,
    action: false,
  };
}

/** A direct message of now: a guest's mailbox is kept for an age after its newest. */
function direct(from: string, to: string, text: string): DirectDraft {
  return {
    id: `d${nextId++}`,
    from,
    to,
    text,
    ts: Date.now(),
    action: false,
  };
}

/**
 * The contract every history store passes. `open` makes a store (with
 * `SMALL_MAILBOXES`); `reopen`, when given, makes a new store over the same
 * data (a restart).
 */
export function storeContract(
  name: string,
  open: () => Promise<HistoryStore>,
  reopen?: () => Promise<HistoryStore>,
): void {
  describe(`${name} history store`, () => {
    let store: HistoryStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('numbers each room 1, 2, 3 … in call order and answers in that order', async () => {
      const order: number[] = [];
      const appends = [];
      for (let i = 0; i < 10; i++) {
        appends.push(store.append(draft('#a', `a${i}`)).then((m) => (order.push(m.seq), m)));
        appends.push(store.append(draft('#b', `b${i}`)));
      }
      const stored = await Promise.all(appends);
      expect(stored.filter((m) => m.roomKey === '#a').map((m) => m.seq)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      expect(stored.filter((m) => m.roomKey === '#b').map((m) => m.seq)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('keeps every field of a message', async () => {
      const message = { ...draft('#a', 'héllo\n🌍 "quoted" \u0000'), action: true };
      const stored = await store.append(message);
      expect(stored).toEqual({ ...message, seq: 1 });
      expect(await store.page('#a', { limit: 10 })).toEqual([stored]);
    });

    it('keeps what a reply answers, and finds a kept message by id in its room only', async () => {
      const answered = await store.append(draft('#a', 'the question'));
      const reply = {
        ...draft('#a', 'the answer'),
        reply: { id: answered.id, from: 'ada', text: 'the quéstion\u0000 🌍…' },
      };
      const stored = await store.append(reply);
      expect(stored).toEqual({ ...reply, seq: 2 });
      expect(await store.page('#a', { after: 1, limit: 10 })).toEqual([stored]);
      expect(await store.find('#a', answered.id)).toEqual(answered);
      expect(await store.find('#a', stored.id)).toEqual(stored);
      expect(await store.find('#b', answered.id)).toBeUndefined();
      expect(await store.find('#a', 'no-such-id')).toBeUndefined();
    });

    it('finds a direct message by id in its own mailbox only, with what it answers', async () => {
      const first = await store.appendDirect('g:ada', direct('bob', 'ada', 'hello'));
      const answer = {
        ...direct('ada', 'bob', 'hi back'),
        reply: { id: first.id, from: 'bob', text: 'hello' },
      };
      const kept = await store.appendDirect('g:ada', answer);
      expect(await store.findDirect('g:ada', first.id)).toEqual(first);
      expect(await store.findDirect('g:ada', kept.id)).toEqual(kept);
      expect(await store.findDirect('g:bob', first.id)).toBeUndefined();
    });

    it('forgets the ids of the messages a mailbox no longer keeps', async () => {
      const oldest = await store.appendDirect('a:ada', direct('bob', 'ada', 'the oldest'));
      // Twice the bound and one: a store that trims in chunks has trimmed by then.
      for (let i = 0; i <= 2 * SMALL_MAILBOXES.history; i++)
        await store.appendDirect('a:ada', direct('bob', 'ada', `later ${i}`));
      expect(await store.findDirect('a:ada', oldest.id)).toBeUndefined();
    });

    it('pages back from the newest, and forward after a seq, oldest first', async () => {
      for (let i = 1; i <= 30; i++) await store.append(draft('#a', `m${i}`));
      const texts = (messages: { text: string }[]) => messages.map((m) => m.text);
      expect(texts(await store.page('#a', { limit: 3 }))).toEqual(['m28', 'm29', 'm30']);
      expect(texts(await store.page('#a', { before: 5, limit: 3 }))).toEqual(['m2', 'm3', 'm4']);
      expect(texts(await store.page('#a', { before: 3, limit: 10 }))).toEqual(['m1', 'm2']);
      expect(texts(await store.page('#a', { before: 1, limit: 10 }))).toEqual([]);
      expect(texts(await store.page('#a', { after: 27, limit: 10 }))).toEqual([
        'm28',
        'm29',
        'm30',
      ]);
      expect(texts(await store.page('#a', { after: 0, limit: 2 }))).toEqual(['m1', 'm2']);
      expect(texts(await store.page('#a', { after: 30, limit: 10 }))).toEqual([]);
      expect(await store.page('#nothing', { limit: 10 })).toEqual([]);
    });

    it('has everything appended once flush resolves', async () => {
      const pending = [store.append(draft('#a', 'x')), store.append(draft('#a', 'y'))];
      await store.flush();
      expect((await store.page('#a', { limit: 10 })).map((m) => m.text)).toEqual(['x', 'y']);
      await Promise.all(pending);
    });

    it('numbers each mailbox 1, 2, 3 … on its own, apart from rooms, and keeps every field', async () => {
      const appends = [];
      for (let i = 0; i < 5; i++) {
        appends.push(store.appendDirect('g:ada', direct('ada', 'bob', `to bob ${i}`)));
        appends.push(store.appendDirect('g:bob', direct('ada', 'bob', `to bob ${i}`)));
      }
      await store.append(draft('g:ada', 'a room message named like a mailbox'));
      const stored = await Promise.all(appends);
      expect(stored.filter((m) => m.owner === 'g:ada').map((m) => m.dseq)).toEqual([1, 2, 3, 4, 5]);
      expect(stored.filter((m) => m.owner === 'g:bob').map((m) => m.dseq)).toEqual([1, 2, 3, 4, 5]);
      const odd = { ...direct('ada', 'Σίσυφος', 'héllo\n🌍 "quoted" \u0000'), action: true };
      const kept = await store.appendDirect('g:ada', odd);
      expect(kept).toEqual({ ...odd, owner: 'g:ada', dseq: 6 });
      expect(await store.pageDirect('g:ada', { after: 5, limit: 10 })).toEqual([kept]);
      expect(await store.pageDirect('g:nobody', { limit: 10 })).toEqual([]);
    });

    it('pages a mailbox back from the newest, and forward after a dseq, oldest first', async () => {
      for (let i = 1; i <= 30; i++)
        await store.appendDirect('g:ada', direct('bob', 'ada', `m${i}`));
      const texts = (messages: { text: string }[]) => messages.map((m) => m.text);
      expect(texts(await store.pageDirect('g:ada', { limit: 3 }))).toEqual(['m28', 'm29', 'm30']);
      expect(texts(await store.pageDirect('g:ada', { before: 5, limit: 3 }))).toEqual([
        'm2',
        'm3',
        'm4',
      ]);
      expect(texts(await store.pageDirect('g:ada', { after: 28, limit: 10 }))).toEqual([
        'm29',
        'm30',
      ]);
    });

    it('keeps the newest messages of a mailbox and numbers on past those gone', async () => {
      for (let i = 1; i <= 100; i++)
        await store.appendDirect('a:ada', direct('bob', 'ada', `m${i}`));
      const kept = (await store.pageDirect('a:ada', { after: 0, limit: 200 })).map((m) => m.dseq);
      expect(kept.slice(-40)).toEqual(Array.from({ length: 40 }, (_, i) => 61 + i));
      expect(kept).not.toContain(1);
      expect(kept.length).toBeLessThanOrEqual(80);
      expect((await store.appendDirect('a:ada', direct('bob', 'ada', 'next'))).dseq).toBe(101);
    });

    it('refuses what would pass the waiting bounds of a mailbox whose owner is away, per sender and in all', async () => {
      const leave = (sender: string, text = 'hi') =>
        store.appendDirect('a:ada', direct(sender, 'ada', text), `g:${sender}`);
      for (let i = 0; i < 3; i++) await leave('bob');
      await expect(leave('bob')).rejects.toMatchObject({ code: 'mailbox_full' });
      for (let i = 0; i < 3; i++) await leave('cy');
      // Six wait in all: the next sender is refused too.
      await expect(leave('dee')).rejects.toMatchObject({ code: 'mailbox_full' });
      // A message to someone who is there (not waiting) is never refused.
      await store.appendDirect('a:ada', direct('dee', 'ada', 'live'));
      // Nothing refused was kept.
      expect((await store.pageDirect('a:ada', { limit: 100 })).map((m) => m.from)).toEqual([
        'bob',
        'bob',
        'bob',
        'cy',
        'cy',
        'cy',
        'dee',
      ]);
      // The owner came back: nothing waits now.
      await store.clearWaiting('a:ada');
      await leave('bob');
      await leave('dee');
    });

    it('counts the bytes waiting, per sender and in all', async () => {
      await store.appendDirect('a:ada', direct('bob', 'ada', 'x'.repeat(25)), 'g:bob');
      await expect(
        store.appendDirect('a:ada', direct('bob', 'ada', 'x'.repeat(6)), 'g:bob'),
      ).rejects.toMatchObject({ code: 'mailbox_full' });
      await store.appendDirect('a:ada', direct('cy', 'ada', 'é'.repeat(15)), 'g:cy');
      // 25 + 30 bytes wait: 6 more would pass 60.
      await expect(
        store.appendDirect('a:ada', direct('dee', 'ada', 'x'.repeat(6)), 'g:dee'),
      ).rejects.toMatchObject({ code: 'mailbox_full' });
      await store.appendDirect('a:ada', direct('dee', 'ada', 'x'.repeat(5)), 'g:dee');
    });

    if (reopen) {
      it('keeps what waits in a mailbox across a restart', async () => {
        for (let i = 0; i < 3; i++)
          await store.appendDirect('a:ada', direct('bob', 'ada', 'hi'), 'g:bob');
        await store.close();
        store = await reopen();
        await expect(
          store.appendDirect('a:ada', direct('bob', 'ada', 'hi'), 'g:bob'),
        ).rejects.toMatchObject({ code: 'mailbox_full' });
      });

      it('keeps history and numbering across a restart', async () => {
        for (let i = 1; i <= 5; i++) await store.append(draft('#a', `m${i}`));
        await store.appendDirect('g:ada', direct('bob', 'ada', 'kept'));
        await store.close();
        store = await reopen();
        expect((await store.page('#a', { limit: 10 })).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
        const [third] = await store.page('#a', { after: 2, limit: 1 });
        expect(await store.find('#a', third!.id)).toEqual(third);
        expect((await store.append(draft('#a', 'm6'))).seq).toBe(6);
        expect((await store.pageDirect('g:ada', { limit: 10 })).map((m) => m.text)).toEqual([
          'kept',
        ]);
        expect((await store.appendDirect('g:ada', direct('bob', 'ada', 'next'))).dseq).toBe(2);
      });
    }
  });
}
