import { LIMITS } from '@confab/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReactionChange, ReactionStore } from '../src/index.js';
import type { Backend } from './store-backends.js';

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

/** The contract every reaction store passes, on each backend. */
export function reactionsContract({ name, open, reopen }: Backend<ReactionStore>): void {
  describe(`${name} reaction store`, () => {
    let store: ReactionStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ part: store, close } = await open());
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

    if (reopen)
      it('keeps reactions and numbering across a restart', async () => {
        await store.react(change(7, '👍', 'ada'));
        await store.react(change(7, '🎉', 'bob'));
        await close();
        ({ part: store, close } = await reopen());
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
