import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Throttle, ThrottleRate } from '../src/accounts/throttle.js';
import { MemoryThrottle, loginRates } from '../src/accounts/throttle.js';
import { RedisThrottle } from '../src/cluster/redis-throttle.js';
import type { TestRedis } from '@confab/test-kit';
import { startRedis } from '@confab/test-kit';

let redis: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const client of clients) await client.quit();
  await redis?.stop();
});

const throttles: Array<[string, (rate: ThrottleRate) => Throttle]> = [
  ['memory', (rate) => new MemoryThrottle(rate)],
  [
    'redis',
    (rate) => {
      const client = new Redis(redis.url);
      clients.push(client);
      return new RedisThrottle(client, `confab:test:${randomBytes(4).toString('hex')}:`, rate);
    },
  ],
];

/**
 * Tries `key` every `everyMs` of a simulated clock for `seconds` (no waiting:
 * the throttle takes the time it is given) and counts the attempts allowed.
 * Attempts go out in batches: Redis runs one connection's commands in the
 * order sent, so a batch is counted as one after another would be, without
 * a round trip each (6,000 of those outlast a test's time on a busy machine).
 * The first goes alone, so the Redis throttle's script is loaded before any
 * batch relies on it.
 */
async function guess(throttle: Throttle, key: string, everyMs: number, seconds: number) {
  const start = Date.now();
  const times: number[] = [];
  for (let t = 0; t < seconds * 1000; t += everyMs) times.push(start + t);
  let allowed = (await throttle.take(key, times[0]!)) ? 1 : 0;
  for (let i = 1; i < times.length; i += GUESS_BATCH) {
    const batch = times.slice(i, i + GUESS_BATCH).map((at) => throttle.take(key, at));
    for (const taken of await Promise.all(batch)) if (taken) allowed++;
  }
  return allowed;
}
const GUESS_BATCH = 200;

describe.each(throttles)('the login throttle (%s)', (kind, make) => {
  it('lets one name be guessed 10 times, then once every 6 s, however fast the guesses come', async () => {
    const { byName } = loginRates(10);
    const allowed = await guess(make(byName), 'name:ada', 100, 600);
    console.log(
      `throttle (${kind}): guessing one name 10 times a second for 10 minutes, ${allowed} allowed: ${(allowed / 600).toFixed(3)} a second, ${Math.round(((allowed - 10) / 600) * 86_400)} a day after the first 10`,
    );
    expect(allowed).toBeGreaterThanOrEqual(10 + 100 - 1);
    expect(allowed).toBeLessThanOrEqual(10 + 100 + 1);
  });

  it('lets one address try --login-rate a second, in bursts of three times as many', async () => {
    const { byAddress } = loginRates(10);
    const allowed = await guess(make(byAddress), 'ip:127.0.0.1', 10, 60);
    console.log(
      `throttle (${kind}): one address trying 100 times a second for a minute, ${allowed} allowed (${(allowed / 60).toFixed(1)} a second)`,
    );
    expect(allowed).toBeGreaterThanOrEqual(30 + 600 - 1);
    expect(allowed).toBeLessThanOrEqual(30 + 600 + 1);
  });

  it('keeps each key apart, and lifts every limit at --login-rate 0', async () => {
    const { byName } = loginRates(10);
    const throttle = make(byName);
    expect(await guess(throttle, 'name:ada', 1, 0.02)).toBe(10);
    expect(await guess(throttle, 'name:bob', 1, 0.02)).toBe(10);
    const open = loginRates(0);
    expect(await guess(make(open.byName), 'name:ada', 1, 0.1)).toBe(100);
    expect(await guess(make(open.byAddress), 'ip:127.0.0.1', 1, 0.1)).toBe(100);
  });
});
