import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { TestRedis } from '@confab/test-kit';
import { startRedis, tempDir } from '@confab/test-kit';
import { SqliteStore } from '../src/index.js';

/** One part of a store, open, and how to close what holds it. */
export interface OpenPart<T> {
  part: T;
  close: () => Promise<void>;
}

/**
 * Where a store contract runs: its name, `open` (a store with nothing in
 * it) and, for a store that keeps what it holds, `reopen` (the same data
 * again, as after a restart).
 */
export interface Backend<T> {
  name: string;
  open: () => Promise<OpenPart<T>>;
  reopen?: () => Promise<OpenPart<T>>;
}

/**
 * The memory, SQLite and Redis backends of one part of the store, for its
 * contract: a fresh folder per SQLite store, a fresh key prefix per Redis
 * store, in one real redis-server started for the file.
 */
export function storeBackends<T>(parts: {
  memory: () => T;
  sqlite: (store: SqliteStore) => T;
  redis: (client: Redis, prefix: string) => T;
}): Array<Backend<T>> {
  const dirs: Array<{ remove: () => void }> = [];
  let folder = '';
  let redis: TestRedis | undefined;
  let prefix = '';
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    dirs.forEach((dir) => dir.remove());
    await redis?.stop();
  });
  const sqlite = async (): Promise<OpenPart<T>> => {
    const store = await SqliteStore.open({ dataDir: folder });
    return { part: parts.sqlite(store), close: () => store.close() };
  };
  const inRedis = async (): Promise<OpenPart<T>> => {
    const client = new Redis(redis!.url);
    return { part: parts.redis(client, prefix), close: async () => void (await client.quit()) };
  };
  return [
    { name: 'memory', open: async () => ({ part: parts.memory(), close: async () => undefined }) },
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
    {
      name: 'redis',
      open: () => {
        prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
        return inRedis();
      },
      reopen: inRedis,
    },
  ];
}
