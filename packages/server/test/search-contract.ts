import { foldForSearch, searchTerms } from '@confab/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangeStore,
  HistoryStore,
  SearchIndex,
  SearchQuery,
  StoredMessage,
} from '../src/index.js';
import type { Backend } from './store-backends.js';

/** A history, its changes and its index. */
export interface SearchableStore {
  history: HistoryStore;
  changes: ChangeStore;
  index: SearchIndex;
}

/** The contract every search index passes, on each backend: the same answers. */
export function searchContract({ name, open, reopen }: Backend<SearchableStore>): void {
  describe(`${name} search index`, () => {
    let store: SearchableStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ part: store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    let ids = 0;
    const say = async (roomKey: string, text: string, from = 'ada', ts = 1000 + ids) => {
      const stored = await store.history.append({
        id: `m${++ids}`,
        roomKey,
        room: roomKey.toUpperCase(),
        from,
        text,
        ts,
        action: false,
      });
      await store.history.flush();
      return stored;
    };
    const write = async (owner: string, from: string, to: string, text: string) => {
      const stored = await store.history.appendDirect(owner, {
        id: `d${++ids}`,
        from,
        to,
        text,
        ts: 1000 + ids,
        action: false,
      });
      await store.history.flush();
      return stored;
    };
    /** The texts found for `query`, newest first. */
    const find = async (query: string, where: Partial<SearchQuery> = {}) => {
      const page = await store.index.search({
        terms: searchTerms(query).map(foldForSearch),
        rooms: ['#den', '#ops'],
        limit: 50,
        budget: 1000,
        ...where,
      });
      return page.found.map((found) => found.text);
    };

    it('finds words in any case and with or without accents, phrases, and CJK inside text', async () => {
      await say('#den', 'The Meeting is at noon');
      await say('#den', 'a café with crème brûlée');
      await say('#den', '明日は東京タワーに行きます');
      await say('#den', 'meeting notes: ready');
      expect(await find('meeting')).toEqual(['meeting notes: ready', 'The Meeting is at noon']);
      expect(await find('MEETING noon')).toEqual(['The Meeting is at noon']);
      expect(await find('creme brulee')).toEqual(['a café with crème brûlée']);
      expect(await find('CAFÉ')).toEqual(['a café with crème brûlée']);
      expect(await find('東京タワー')).toEqual(['明日は東京タワーに行きます']);
      expect(await find('"is at noon"')).toEqual(['The Meeting is at noon']);
      expect(await find('"noon is at"')).toEqual([]);
      expect(await find('meet')).toHaveLength(2);
    });

    it('looks only where it is asked, narrowed by sender, conversation and time', async () => {
      const early = await say('#den', 'deploy now', 'ada', 100);
      await say('#ops', 'deploy later', 'bob', 200);
      await say('#secret', 'deploy secretly', 'ada', 300);
      await write('a:ada', 'ada', 'bob', 'deploy plans for bob');
      await write('a:ada', 'cy', 'ada', 'deploy plans from cy');
      await write('a:bob', 'ada', 'bob', 'deploy plans for bob');
      expect(await find('deploy')).toEqual(['deploy later', 'deploy now']);
      expect(await find('deploy', { mailbox: 'a:ada' })).toEqual([
        'deploy plans from cy',
        'deploy plans for bob',
        'deploy later',
        'deploy now',
      ]);
      expect(await find('deploy', { rooms: [], mailbox: 'a:ada', peer: 'bob' })).toEqual([
        'deploy plans for bob',
      ]);
      expect(await find('deploy', { from: 'bob' })).toEqual(['deploy later']);
      expect(await find('deploy', { since: 150, until: 250 })).toEqual(['deploy later']);
      expect(await find('deploy', { rooms: ['#den'], until: early.ts + 1 })).toEqual([
        'deploy now',
      ]);
      const [hit] = (
        await store.index.search({
          terms: ['plans'],
          rooms: [],
          mailbox: 'a:bob',
          limit: 5,
          budget: 100,
        })
      ).found;
      expect(hit).toMatchObject({ from: 'ada', direct: { to: 'bob', dseq: 1 } });
      const [room] = (
        await store.index.search({ terms: ['later'], rooms: ['#ops'], limit: 5, budget: 100 })
      ).found;
      expect(room).toMatchObject({ from: 'bob', room: { key: '#ops', name: '#OPS', seq: 1 } });
    });

    it('finds an edited message by its new text, and a deleted one not at all', async () => {
      const edited = await say('#den', 'the release is on monday');
      const deleted = await say('#den', 'the release password is hunter2');
      const at = (m: StoredMessage) => ({
        roomKey: '#den',
        room: '#DEN',
        seq: m.seq,
        id: m.id,
        from: 'ada',
      });
      await store.changes.edit({
        ...at(edited),
        text: 'the launch is on tuesday',
        ts: 5,
        excerpt: '',
      });
      await store.changes.remove({ ...at(deleted), by: 'ada', ts: 6 });
      expect(await find('release')).toEqual([]);
      expect(await find('hunter2')).toEqual([]);
      expect(await find('launch tuesday')).toEqual(['the launch is on tuesday']);
    });

    it('answers in pages, newest first, each going on where the last ended', async () => {
      for (let n = 1; n <= 25; n++) await say(n % 2 ? '#den' : '#ops', `status report ${n}`);
      await say('#den', 'nothing to see');
      const seen: string[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.index.search({
          terms: ['report'],
          rooms: ['#den', '#ops'],
          limit: 10,
          budget: 1000,
          ...(before === undefined ? {} : { before }),
        });
        seen.push(...page.found.map((found) => found.text));
        if (page.next === undefined) break;
        before = page.next;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `status report ${25 - i}`));
      // A step looks at a bounded number of matches, and says where to go on.
      const bounded = await store.index.search({
        terms: ['report'],
        rooms: ['#den'],
        limit: 10,
        budget: 4,
      });
      expect(bounded.found.length).toBeLessThanOrEqual(4);
      expect(bounded.next).toBeDefined();
    });

    if (reopen)
      it('keeps its index across a restart', async () => {
        await say('#den', 'remember the milk');
        await close();
        ({ part: store, close } = await reopen());
        expect(await find('milk')).toEqual(['remember the milk']);
      });
  });
}
