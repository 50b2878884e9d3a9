import { afterAll } from 'vitest';
import { MemoryStore, SqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async () => new MemoryStore());

const dirs: Array<{ remove: () => void }> = [];
let current = '';
afterAll(() => dirs.forEach((d) => d.remove()));

storeContract(
  'sqlite',
  async () => {
    const dir = tempDir();
    dirs.push(dir);
    current = dir.path;
    return SqliteStore.open({ dataDir: current });
  },
  async () => SqliteStore.open({ dataDir: current }),
);
