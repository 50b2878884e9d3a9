import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { MemoryAccounts, SqliteStore } from '../src/index.js';
import { RedisAccounts } from '../src/store/redis-accounts.js';
import { accountsContract } from './accounts-contract.js';
import { tempDir } from './helpers.js';
import type { TestRedis } from './redis-server.js';
import { startRedis } from './redis-server.js';

accountsContract('memory', async () => ({
  accounts: new MemoryAccounts(),
  close: async () => undefined,
}));

const dirs: Array<{ remove: () => void }> = [];
let current = '';
afterAll(() => dirs.forEach((d) => d.remove()));
const sqlite = async () => {
  const store = await SqliteStore.open({ dataDir: current });
  return { accounts: store.accounts, close: () => store.close() };
};
accountsContract(
  'sqlite',
  async () => {
    const dir = tempDir();
    dirs.push(dir);
    current = dir.path;
    return sqlite();
  },
  sqlite,
);

let redis: TestRedis;
let prefix = '';
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
const redisAccounts = (fresh: boolean) => async () => {
  // A fresh key prefix per store: each contract test starts from nothing.
  if (fresh) prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
  const client = new Redis(redis.url);
  return {
    accounts: new RedisAccounts(client, prefix),
    close: async () => void (await client.quit()),
  };
};
accountsContract('redis', redisAccounts(true), redisAccounts(false));
