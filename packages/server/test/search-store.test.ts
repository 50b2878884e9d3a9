import { tempDir } from '@confab/test-kit';
import { afterAll } from 'vitest';
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
