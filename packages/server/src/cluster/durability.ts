import type { Redis } from 'ioredis';
import { ServerError } from '../errors.js';

/**
 * What a Redis may lose of what Confab has acked, that the operator
 * accepts (`--redis-durability`). Stable: a setting.
 *
 * - `always`: nothing: the append-only file is on and every write is on
 *   disk before Redis answers (`appendonly yes`, `appendfsync always`).
 * - `everysec`: the last second of writes, if Redis itself crashes (the
 *   append-only file synced once a second).
 * - `none`: anything: Redis may keep nothing across a restart.
 */
export type RedisDurability = 'always' | 'everysec' | 'none';

/** What Redis says of its persistence. */
interface Persistence {
  appendonly: string | undefined;
  appendfsync: string | undefined;
}

async function persistenceOf(client: Redis): Promise<Persistence> {
  try {
    const [, appendonly] = (await client.config('GET', 'appendonly')) as string[];
    const [, appendfsync] = (await client.config('GET', 'appendfsync')) as string[];
    return { appendonly, appendfsync };
  } catch {
    // CONFIG may be renamed away (a managed Redis): INFO tells whether the append-only file is on.
    const info = await client.info('persistence');
    const aof = /aof_enabled:(\d)/.exec(info)?.[1];
    return {
      appendonly: aof === '1' ? 'yes' : aof === '0' ? 'no' : undefined,
      appendfsync: undefined,
    };
  }
}

/**
 * Checks Redis's persistence against what may be lost (`durability`), and
 * refuses to start (`redis_not_durable`) on a Redis that could lose acked
 * messages beyond it: after such a loss, history is gone for good. Resolves
 * with a line for the log about what is accepted.
 */
export async function checkDurability(client: Redis, durability: RedisDurability): Promise<string> {
  if (durability === 'none')
    return 'persistence not checked (--redis-durability none): acked messages may be lost when Redis restarts';
  const { appendonly, appendfsync } = await persistenceOf(client);
  const fix =
    'give Redis "appendonly yes" and "appendfsync always" (see the README), or start with ' +
    '--redis-durability everysec (may lose the last second if Redis crashes) or none (may lose everything)';
  if (appendonly !== 'yes')
    throw new ServerError(
      'redis_not_durable',
      `Redis keeps no append-only file (appendonly is ${appendonly ?? 'unknown'}): a restart of Redis would lose acked messages and number new ones again; ${fix}`,
    );
  if (durability === 'always' && appendfsync !== 'always')
    throw new ServerError(
      'redis_not_durable',
      `Redis syncs its append-only file ${appendfsync === undefined ? 'as this server cannot tell (CONFIG is refused)' : `"${appendfsync}"`}, not at every write: a crash of Redis may lose acked messages; ${fix}`,
    );
  return `persistence checked: appendonly yes, appendfsync ${appendfsync ?? 'unknown'}`;
}
