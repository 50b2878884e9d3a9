import type { Redis } from 'ioredis';
import type { Throttle, ThrottleRate } from '../accounts/throttle.js';
import { defineScripts } from './scripts.js';

/**
 * KEYS: the bucket. ARGV: now ms, tokens per ms, burst. A token bucket in a
 * hash (`t` tokens, `at` last refill) that expires once it would be full
 * again. Returns 1 when a token was taken.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate) end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return taken
`;

type ScriptedRedis = Redis & {
  confabThrottle(bucket: string, now: number, rate: number, burst: number): Promise<number>;
};

/** A throttle every node of a cluster shares: an attacker gains nothing by trying each node. */
export class RedisThrottle implements Throttle {
  private readonly client: ScriptedRedis;

  constructor(
    client: Redis,
    private readonly prefix: string,
    private readonly rate: ThrottleRate,
  ) {
    this.client = defineScripts<ScriptedRedis>(client, { confabThrottle: { keys: 1, lua: TAKE } });
  }

  async take(key: string, now: number): Promise<boolean> {
    if (this.rate.perSecond <= 0) return true;
    const taken = await this.client.confabThrottle(
      `${this.prefix}${key}`,
      now,
      this.rate.perSecond / 1000,
      this.rate.burst,
    );
    return taken === 1;
  }
}
