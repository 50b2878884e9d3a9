import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { MemoryRooms, SqliteStore } from '../src/index.js';
import { ClusterKeys } from '../src/cluster/cluster-keys.js';
import { RedisRooms } from '../src/store/redis-rooms.js';
import { tempDir } from './helpers.js';
import type { TestRedis } from './redis-server.js';
import { startRedis } from './redis-server.js';
import { roomsContract } from './rooms-contract.js';

roomsContract('memory', async () => ({ rooms: new MemoryRooms(), close: async () => undefined }));

const dirs: Array<{ remove: () => void }> = [];
let current = '';
afterAll(() => dirs.forEach((d) => d.remove()));
const sqlite = async () => {
  const store = await SqliteStore.open({ dataDir: current });
  return { rooms: store.rooms, close: () => store.close() };
};
roomsContract(
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
const redisRooms = (fresh: boolean) => async () => {
  // A fresh key prefix per store: each contract test starts from nothing.
  if (fresh) prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
  const client = new Redis(redis.url);
  return {
    rooms: new RedisRooms(client, new ClusterKeys(prefix)),
    close: async () => void (await client.quit()),
  };
};
roomsContract('redis', redisRooms(true), redisRooms(false));
