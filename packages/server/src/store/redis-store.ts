import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { defineScripts } from '../cluster/scripts.js';
import type {
  DirectDraft,
  HistoryStore,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected ioredis client (the store does not own it unless `ownsClient`). */
  client: Redis;
  /** Prefix of every key the store writes. @default 'confab:' */
  prefix?: string;
  /** Messages kept per room stream (trimmed approximately). @default 100000 */
  maxPerRoom?: number;
  /** Quit the client on `close`. @default false */
  ownsClient?: boolean;
}

/**
 * Numbers and stores one message atomically: INCR the room's counter and
 * XADD the message with that number as its stream id (`seq-0`), so pages
 * are plain ranges of ids and `seq` has no gap across the nodes of a
 * cluster. With a publish command (ARGV[8]: PUBLISH or SPUBLISH), the same
 * step publishes `seq TAB payload` on a channel: Redis runs scripts one at
 * a time, so every subscriber receives a room's messages in seq order.
 * Returns the seq.
 */
const APPEND = `
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], seq .. '-0',
  'id', ARGV[2], 'room', ARGV[3], 'from', ARGV[4], 'text', ARGV[5], 'ts', ARGV[6], 'action', ARGV[7])
if ARGV[8] ~= '' then
  redis.call(ARGV[8], ARGV[9], seq .. '\t' .. ARGV[10])
end
return seq
`;

/**
 * The same for a direct message in one mailbox (`dseq` counter, stream):
 * ARGV id, from, to, text, ts, action, then the publication as above.
 */
const APPEND_DIRECT = `
local dseq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], dseq .. '-0',
  'id', ARGV[2], 'from', ARGV[3], 'to', ARGV[4], 'text', ARGV[5], 'ts', ARGV[6], 'action', ARGV[7])
if ARGV[8] ~= '' then
  redis.call(ARGV[8], ARGV[9], dseq .. '\t' .. ARGV[10])
end
return dseq
`;

/** A message to publish in the same step as the append. */
export interface Publication {
  command: 'PUBLISH' | 'SPUBLISH';
  channel: string;
  /** Sent after the seq and a tab. */
  payload: string;
}

/** The client with the append script defined on it (EVALSHA, loading the script when Redis lacks it). */
type ScriptedRedis = Redis & {
  confabAppend(...args: Array<string | number>): Promise<number>;
  confabAppendDirect(...args: Array<string | number>): Promise<number>;
};

type StreamEntry = [id: string, fields: string[]];

/** A stream entry's fields, by name. */
function fieldsOf(fields: string[]): Record<string, string> {
  const value: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) value[fields[i]!] = fields[i + 1]!;
  return value;
}

/** The number in a stream entry id (`number-0`). */
function numberOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

function toDirect(owner: string, [id, fields]: StreamEntry): StoredDirect {
  const value = fieldsOf(fields);
  return {
    owner,
    dseq: numberOf(id),
    id: value.id ?? '',
    from: value.from ?? '',
    to: value.to ?? '',
    text: value.text ?? '',
    ts: Number(value.ts),
    action: value.action === '1',
  };
}

function toMessage(roomKey: string, [id, fields]: StreamEntry): StoredMessage {
  const value = fieldsOf(fields);
  return {
    roomKey,
    seq: numberOf(id),
    id: value.id ?? '',
    room: value.room ?? roomKey,
    from: value.from ?? '',
    text: value.text ?? '',
    ts: Number(value.ts),
    action: value.action === '1',
  };
}

/** Runs an append script; Redis out of reach is `unavailable`, so the sender is told to send again. */
async function reachable(append: () => Promise<number>): Promise<number> {
  try {
    return await append();
  } catch (error) {
    throw new ConfabError('unavailable', 'the history store cannot be reached', { cause: error });
  }
}

/** The script arguments of a publication made in the same step (empty: none). */
function publicationArgs(publication?: Publication): [string, string, string] {
  return [publication?.command ?? '', publication?.channel ?? '', publication?.payload ?? ''];
}

/**
 * History in Redis Streams, one stream per room. `append` resolves when
 * Redis has executed the write: it survives a crash of the Confab process;
 * surviving a crash of Redis takes Redis persistence (AOF with
 * `appendfsync everysec` or `always`), which the operator configures.
 * When Redis cannot be reached, appends fail with the wire code
 * `unavailable`, so clients are told to send again rather than lose a message.
 */
export class RedisStore implements HistoryStore {
  private readonly client: ScriptedRedis;
  private readonly prefix: string;
  private readonly maxPerRoom: number;
  private readonly ownsClient: boolean;

  constructor(options: RedisStoreOptions) {
    this.client = defineScripts<ScriptedRedis>(options.client, {
      confabAppend: { keys: 2, lua: APPEND },
      confabAppendDirect: { keys: 2, lua: APPEND_DIRECT },
    });
    this.prefix = options.prefix ?? 'confab:';
    this.maxPerRoom = options.maxPerRoom ?? 100_000;
    this.ownsClient = options.ownsClient ?? false;
  }

  /** Stores a message; with `publication`, publishes it in the same atomic step. */
  async append(draft: MessageDraft, publication?: Publication): Promise<StoredMessage> {
    const seq = await reachable(() =>
      this.client.confabAppend(
        this.key('seq', draft.roomKey),
        this.key('history', draft.roomKey),
        this.maxPerRoom,
        draft.id,
        draft.room,
        draft.from,
        draft.text,
        draft.ts,
        draft.action ? '1' : '0',
        ...publicationArgs(publication),
      ),
    );
    return { ...draft, seq };
  }

  async page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    const entries = await this.range(this.key('history', roomKey), query);
    return entries.map((entry) => toMessage(roomKey, entry));
  }

  /** Keeps a direct message in a mailbox; with `publication`, publishes it in the same atomic step. */
  async appendDirect(
    owner: string,
    draft: DirectDraft,
    publication?: Publication,
  ): Promise<StoredDirect> {
    const dseq = await reachable(() =>
      this.client.confabAppendDirect(
        this.key('dseq', owner),
        this.key('mailbox', owner),
        this.maxPerRoom,
        draft.id,
        draft.from,
        draft.to,
        draft.text,
        draft.ts,
        draft.action ? '1' : '0',
        ...publicationArgs(publication),
      ),
    );
    return { ...draft, owner, dseq };
  }

  async pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    const entries = await this.range(this.key('mailbox', owner), query);
    return entries.map((entry) => toDirect(owner, entry));
  }

  /** A page of a stream whose entry ids are `number-0`, oldest first. */
  private async range(stream: string, query: PageQuery): Promise<StreamEntry[]> {
    if (query.after !== undefined)
      return (await this.client.xrange(
        stream,
        `(${query.after}-0`,
        '+',
        'COUNT',
        query.limit,
      )) as StreamEntry[];
    const end = query.before === undefined ? '+' : `(${query.before}-0`;
    const entries = (await this.client.xrevrange(
      stream,
      end,
      '-',
      'COUNT',
      query.limit,
    )) as StreamEntry[];
    return entries.reverse();
  }

  /** Every append has been answered by Redis when its promise resolves: nothing to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => undefined);
  }

  private key(kind: 'seq' | 'history' | 'dseq' | 'mailbox', id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }
}
