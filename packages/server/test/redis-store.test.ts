import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisChanges } from '../src/store/redis-changes.js';
import { RedisStore } from '../src/store/redis-store.js';
import type { TestRedis } from '@confab/test-kit';
import { startRedis } from '@confab/test-kit';
import { SMALL_MAILBOXES, storeContract } from './store-contract.js';

let redis: TestRedis;
let prefix = '';

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const open = (fresh: boolean) => async () => {
  // A fresh key prefix per store: each contract test starts from nothing.
  if (fresh) prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
  return new RedisStore({
    client: new Redis(redis.url, { lazyConnect: false }),
    prefix,
    ownsClient: true,
    mailbox: SMALL_MAILBOXES,
  });
};

storeContract('redis', open(true), open(false));

describe('redis history store', () => {
  it('keeps the texts of a room as its stream keeps its entries, and reads on past those trimmed first', async () => {
    prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
    const store = new RedisStore({
      client: new Redis(redis.url),
      prefix,
      ownsClient: true,
      maxPerRoom: 20,
    });
    const draft = (n: number) => ({
      id: `m${n}`,
      roomKey: '#den',
      room: '#den',
      from: 'ada',
      text: `message ${n}`,
      ts: n,
      action: false,
    });
    for (let n = 1; n <= 250; n++) await store.append(draft(n));
    const client = new Redis(redis.url);
    // The stream trims a node of entries at a time: it still has more than the texts kept.
    expect(await client.xlen(`${prefix}history:#den`)).toBeGreaterThan(20);
    expect(await client.hlen(`${prefix}texts:#den`)).toBe(20);
    client.disconnect();
    // A resume from the start gets the messages kept, not an empty page that would end it.
    const page = await store.page('#den', { after: 0, limit: 10 });
    expect(page.map((m) => m.seq)).toEqual([231, 232, 233, 234, 235, 236, 237, 238, 239, 240]);
    const back = await store.page('#den', { limit: 5 });
    expect(back.map((m) => m.text)).toEqual([246, 247, 248, 249, 250].map((n) => `message ${n}`));
    await store.close();
  });

  it('lets a guest’s mailbox expire after the guest age, and keeps an account’s', async () => {
    const store = await open(true)();
    await store.appendDirect('g:guest', {
      id: 'x',
      from: 'ada',
      to: 'bob',
      text: 'hi',
      ts: 1,
      action: false,
    });
    await store.appendDirect('a:account', {
      id: 'y',
      from: 'ada',
      to: 'bob',
      text: 'hi',
      ts: 1,
      action: false,
    });
    const client = new Redis(redis.url);
    const ttl = await client.pttl(`${prefix}mailbox:g:guest`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(SMALL_MAILBOXES.guestTtlMs);
    expect(await client.pttl(`${prefix}mailbox:a:account`)).toBe(-1);
    client.disconnect();
    await store.close();
  });

  it('gives a guest’s mailbox changes the mailbox’s life, and trims them with its messages', async () => {
    const store = await open(true)();
    const changesClient = new Redis(redis.url);
    const changes = new RedisChanges({
      client: changesClient,
      prefix,
      mailbox: SMALL_MAILBOXES,
    });
    const write = (n: number) =>
      store.appendDirect('g:guest', {
        id: `d${n}`,
        from: 'ada',
        to: 'bob',
        text: `note ${n}`,
        ts: n,
        action: false,
      });
    const first = await write(1);
    const at = { roomKey: 'g:guest', seq: first.dseq, id: first.id, from: 'ada' };
    await changes.react({ ...at, emoji: '👍', nameKey: 'g:guest', name: 'bob', remove: false });
    await changes.edit({ ...at, text: 'note one', ts: 2, excerpt: 'note one' });
    const client = new Redis(redis.url);
    for (const key of ['texts', 'states', 'rev', 'reactions', 'changes', 'reacted:g:guest:1']) {
      const ttl = await client.pttl(
        `${prefix}${key}${key.startsWith('reacted') ? '' : ':g:guest'}`,
      );
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(SMALL_MAILBOXES.guestTtlMs);
    }
    // Past the mailbox's bound, the oldest message goes with its text, state and reactions.
    for (let n = 2; n <= SMALL_MAILBOXES.history + 1; n++) await write(n);
    expect(await store.findDirect('g:guest', first.id)).toBeUndefined();
    expect(await client.hexists(`${prefix}texts:g:guest`, '1')).toBe(0);
    expect(await client.hexists(`${prefix}states:g:guest`, '1')).toBe(0);
    expect(await client.hexists(`${prefix}reactions:g:guest`, '1')).toBe(0);
    expect(await client.exists(`${prefix}reacted:g:guest:1`)).toBe(0);
    expect(await changes.changedAfter('g:guest', 0, 10)).toEqual([]);
    client.disconnect();
    await changesClient.quit();
    await store.close();
  });

  it('tells the sender the store is unavailable (not internal) when Redis cannot be reached', async () => {
    const client = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    const store = new RedisStore({ client, ownsClient: true });
    await expect(
      store.append({
        id: 'x',
        roomKey: '#a',
        room: '#a',
        from: 'ada',
        text: 'hi',
        ts: 1,
        action: false,
      }),
    ).rejects.toMatchObject({ code: 'unavailable' });
    client.disconnect();
  });
});
