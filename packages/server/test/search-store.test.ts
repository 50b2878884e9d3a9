import { tempDir } from '@confab/test-kit';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, SqliteStore } from '../src/index.js';
import type { SearchableStore } from './search-contract.js';
import { searchContract } from './search-contract.js';
import type { Backend } from './store-backends.js';

const dirs: Array<{ remove: () => void }> = [];
afterAll(() => dirs.forEach((dir) => dir.remove()));
let folder = '';

const sqlite = async () => {
  const store = await SqliteStore.open({ dataDir: folder });
  const part: SearchableStore = { history: store, changes: store.changes, index: store.search };
  return { part, close: () => store.close() };
};

const backends: Array<Backend<SearchableStore>> = [
  {
    name: 'memory',
    open: async () => {
      const store = new MemoryStore();
      return {
        part: { history: store, changes: store.changes, index: store },
        close: async () => undefined,
      };
    },
  },
  {
    name: 'sqlite',
    open: () => {
      const dir = tempDir();
      dirs.push(dir);
      folder = dir.path;
      return sqlite();
    },
    reopen: sqlite,
  },
];
backends.forEach(searchContract);

describe('sqlite search index', () => {
  it('indexes, once, what a file kept before it had an index, oldest first', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await SqliteStore.open({ dataDir: dir.path });
    for (const [n, room] of ['#den', '#ops', '#den'].entries())
      await first.append({
        id: `m${n}`,
        roomKey: room,
        room,
        from: 'Ada',
        text: `old note ${n}`,
        ts: 100 + n,
        action: false,
      });
    await first.appendDirect('a:ada', {
      id: 'd1',
      from: 'Bob',
      to: 'Ada',
      text: 'old note by hand',
      ts: 150,
      action: false,
    });
    await first.flush();
    await first.close();
    // As a server before the index left it.
    const raw = new DatabaseSync(join(dir.path, 'confab.db'));
    raw.exec('DROP TABLE search_index; DROP TABLE search_rows;');
    raw.close();
    const again = await SqliteStore.open({ dataDir: dir.path });
    await again.append({
      id: 'new',
      roomKey: '#den',
      room: '#den',
      from: 'Ada',
      text: 'new note',
      ts: 200,
      action: false,
    });
    await again.flush();
    const page = await again.search.search({
      terms: ['note'],
      rooms: ['#den', '#ops'],
      mailbox: 'a:ada',
      limit: 10,
      budget: 100,
    });
    expect(page.found.map((found) => found.text)).toEqual([
      'new note',
      'old note by hand',
      'old note 2',
      'old note 1',
      'old note 0',
    ]);
    const byBob = await again.search.search({
      terms: ['note'],
      rooms: [],
      mailbox: 'a:ada',
      peer: 'bob',
      limit: 10,
      budget: 100,
    });
    expect(byBob.found.map((found) => found.id)).toEqual(['d1']);
    await again.close();
  });
});
