import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { defineScripts } from '../cluster/scripts.js';
import type { ReadMarkerStore } from '../core/ports.js';
import { MAX_READ_MARKERS } from '../core/ports.js';

/**
 * Moves a marker forward atomically: KEYS[1] the identity's markers (a
 * hash of place -> number); ARGV place, number, the most places kept, and
 * how long a guest's markers live after their last move (0: an
 * account's, kept). Returns 1 when it moved.
 */
const ADVANCE = `
local now = redis.call('HGET', KEYS[1], ARGV[1])
if now and tonumber(now) >= tonumber(ARGV[2]) then return 0 end
if not now and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
`;

type ScriptedRedis = Redis & {
  confabReadAdvance(...args: Array<string | number>): Promise<number>;
};

/** Read markers in Redis, one hash per identity, shared by a cluster's nodes. */
export class RedisReadMarkers implements ReadMarkerStore {
  private readonly client: ScriptedRedis;

  constructor(
    client: Redis,
    private readonly prefix: string,
    /** How long a guest's markers live after their last move, as its mailbox does. */
    private readonly guestTtlMs: number,
  ) {
    this.client = defineScripts<ScriptedRedis>(client, {
      confabReadAdvance: { keys: 1, lua: ADVANCE },
    });
  }

  async markers(owner: string): Promise<Map<string, number>> {
    const all = await reachable(() => this.client.hgetall(this.key(owner)));
    return new Map(Object.entries(all).map(([place, number]) => [place, Number(number)]));
  }

  async advance(owner: string, place: string, number: number): Promise<boolean> {
    const moved = await reachable(() =>
      this.client.confabReadAdvance(
        this.key(owner),
        place,
        number,
        MAX_READ_MARKERS,
        owner.startsWith('g:') ? this.guestTtlMs : 0,
      ),
    );
    return moved === 1;
  }

  private key(owner: string): string {
    return `${this.prefix}read:${owner}`;
  }
}

/** Runs a command; Redis out of reach is `unavailable`. */
async function reachable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new ConfabError('unavailable', 'the store cannot be reached', { cause: error });
  }
}
