import { ConfabError, utf8ByteLength } from '@confab/protocol';
import type { ReplyExcerpt } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { defineScripts } from '../cluster/scripts.js';
import type {
  DirectDraft,
  HistoryStore,
  MailboxLimits,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { DEFAULT_MAILBOX_LIMITS } from '../core/ports.js';
import type { NumberingGuard } from '../cluster/numbering-guard.js';
import { mailboxFull } from './waiting.js';

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
  /** What a mailbox keeps, and what may wait in it. @default DEFAULT_MAILBOX_LIMITS */
  mailbox?: MailboxLimits;
  /** Keeps numbers from being given twice after Redis loses data (a cluster's node has one). */
  guard?: NumberingGuard;
}

/**
 * Lua that keeps the entry's id findable (a reply names what it answers by
 * id): the ids key (the script's last) is a sorted set of id by number,
 * trimmed in step with the stream, to the newest ARGV[1].
 */
const INDEX_ID = (number: string, id: string) => `
redis.call('ZADD', KEYS[#KEYS], ${number}, ${id})
redis.call('ZREMRANGEBYSCORE', KEYS[#KEYS], '-inf', ${number} - tonumber(ARGV[1]))`;

/** What an append script answers when the node's guard is gone: Redis lost data. */
export const DATA_LOST = -10;

/**
 * Numbers and stores one message atomically: INCR the room's counter and
 * XADD the message with that number as its stream id (`seq-0`), so pages
 * are plain ranges of ids and `seq` has no gap across the nodes of a
 * cluster. With a publish command (ARGV[8]: PUBLISH or SPUBLISH), the same
 * step publishes `seq TAB payload` on a channel: Redis runs scripts one at
 * a time, so every subscriber receives a room's messages in seq order.
 * ARGV[11], when not empty, is the node's guard key (see
 * `NumberingGuard`): without it, Redis lost data, and nothing is numbered
 * (-10). Returns the seq.
 *
 * A stream entry cannot be changed, and one deleted leaves its bytes in
 * the stream until its whole node goes: so what a message says (its text,
 * and a reply's quote of what it answers) is kept beside the stream, in
 * hashes by seq (KEYS[3] texts, KEYS[4] quotes), where an edit replaces it
 * and a delete erases it. KEYS[5] lists, by id, the replies quoting each
 * message; KEYS[6] holds edited and deleted states. All four are trimmed
 * in step with the stream (its ids, KEYS[7], tell which message goes).
 */
const APPEND = `
if ARGV[11] ~= '' and redis.call('EXISTS', ARGV[11]) == 0 then return -10 end
local seq = redis.call('INCR', KEYS[1])
local fields = {'id', ARGV[2], 'room', ARGV[3], 'from', ARGV[4], 'ts', ARGV[6], 'action', ARGV[7]}
if ARGV[15] ~= '' then table.insert(fields, 'owner') table.insert(fields, ARGV[15]) end
if ARGV[12] ~= '' then
  table.insert(fields, 'rid') table.insert(fields, ARGV[12])
  table.insert(fields, 'rfrom') table.insert(fields, ARGV[13])
  redis.call('HSET', KEYS[4], seq, ARGV[14])
  local quoting = redis.call('HGET', KEYS[5], ARGV[12])
  redis.call('HSET', KEYS[5], ARGV[12], quoting and (quoting .. ' ' .. seq) or tostring(seq))
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], seq .. '-0', unpack(fields))
redis.call('HSET', KEYS[3], seq, ARGV[5])
local gone = seq - tonumber(ARGV[1])
if gone > 0 then
  redis.call('HDEL', KEYS[3], gone)
  redis.call('HDEL', KEYS[4], gone)
  redis.call('HDEL', KEYS[6], gone)
  local goneId = redis.call('ZRANGEBYSCORE', KEYS[7], gone, gone)[1]
  if goneId then redis.call('HDEL', KEYS[5], goneId) end
end
${INDEX_ID('seq', 'ARGV[2]')}
if ARGV[8] ~= '' then
  redis.call(ARGV[8], ARGV[9], seq .. '\t' .. ARGV[10])
end
return seq
`;

/**
 * The same for a direct message in one mailbox (`dseq` counter, stream,
 * and the hash of what waits there for its owner: `n`, `b` in all and
 * `n:<sender>`, `b:<sender>` from each): ARGV history to keep (exactly),
 * id, from, to, text, ts, action, the publication as above, then the
 * sender it waits from ('' when the owner is there), its bytes, the bounds
 * (in all: messages, bytes; from one sender: messages, bytes), and the
 * milliseconds a guest's mailbox lives after its newest message (0: an
 * account's, kept), the guard key as above, the reply's fields, the
 * identities of the two ends, the state of a copied message (JSON, as the
 * states hash keeps it; '' for none) and the key prefix of who reacted to
 * each message. Returns the dseq, or -1 (mailbox full for everyone), -2
 * (full from this sender) or -10 (Redis lost data), refusing it.
 *
 * As a room's, a mailbox's texts and quotes are kept beside its stream
 * (KEYS[4] texts, [5] quotes, [6] quoting, [7] states), so a delete can
 * erase them; with its changes (KEYS[8] the change counter, [9] reactions,
 * [10] changed messages) they are trimmed in step with the stream, and a
 * guest's expire with it.
 */
const APPEND_DIRECT = `
if ARGV[18] ~= '' and redis.call('EXISTS', ARGV[18]) == 0 then return -10 end
local sender = ARGV[11]
if sender ~= '' then
  local bytes = tonumber(ARGV[12])
  local mine = tonumber(redis.call('HGET', KEYS[3], 'n:' .. sender) or '0')
  local mineBytes = tonumber(redis.call('HGET', KEYS[3], 'b:' .. sender) or '0')
  if mine + 1 > tonumber(ARGV[15]) or mineBytes + bytes > tonumber(ARGV[16]) then return -2 end
  local all = tonumber(redis.call('HGET', KEYS[3], 'n') or '0')
  local allBytes = tonumber(redis.call('HGET', KEYS[3], 'b') or '0')
  if all + 1 > tonumber(ARGV[13]) or allBytes + bytes > tonumber(ARGV[14]) then return -1 end
  redis.call('HINCRBY', KEYS[3], 'n', 1)
  redis.call('HINCRBY', KEYS[3], 'b', bytes)
  redis.call('HINCRBY', KEYS[3], 'n:' .. sender, 1)
  redis.call('HINCRBY', KEYS[3], 'b:' .. sender, bytes)
end
local dseq = redis.call('INCR', KEYS[1])
local fields = {'id', ARGV[2], 'from', ARGV[3], 'to', ARGV[4], 'ts', ARGV[6], 'action', ARGV[7]}
if ARGV[22] ~= '' then table.insert(fields, 'fi') table.insert(fields, ARGV[22]) end
if ARGV[23] ~= '' then table.insert(fields, 'ti') table.insert(fields, ARGV[23]) end
if ARGV[19] ~= '' then
  table.insert(fields, 'rid') table.insert(fields, ARGV[19])
  table.insert(fields, 'rfrom') table.insert(fields, ARGV[20])
  redis.call('HSET', KEYS[5], dseq, ARGV[21])
  local quoting = redis.call('HGET', KEYS[6], ARGV[19])
  redis.call('HSET', KEYS[6], ARGV[19], quoting and (quoting .. ' ' .. dseq) or tostring(dseq))
end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], dseq .. '-0', unpack(fields))
redis.call('HSET', KEYS[4], dseq, ARGV[5])
if ARGV[24] ~= '' then redis.call('HSET', KEYS[7], dseq, ARGV[24]) end
local gone = dseq - tonumber(ARGV[1])
if gone > 0 then
  redis.call('HDEL', KEYS[4], gone)
  redis.call('HDEL', KEYS[5], gone)
  redis.call('HDEL', KEYS[7], gone)
  redis.call('HDEL', KEYS[9], gone)
  redis.call('DEL', ARGV[25] .. gone)
  local goneId = redis.call('ZRANGEBYSCORE', KEYS[11], gone, gone)[1]
  if goneId then
    redis.call('HDEL', KEYS[6], goneId)
    redis.call('ZREM', KEYS[10], gone .. '\t' .. goneId)
  end
end
${INDEX_ID('dseq', 'ARGV[2]')}
local ttl = tonumber(ARGV[17])
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
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

/** A quote of a message deleted since, in the quotes hash. */
export const DELETED_QUOTE = '\u0000';

/** What is kept beside a room's stream for its entries (see `APPEND`): by seq, null where none. */
interface Beside {
  texts: Array<string | null>;
  quotes: Array<string | null>;
  states: Array<string | null>;
}

/** A message's edited or deleted state, as the states hash keeps it. */
interface MessageState {
  /** Edited at. */
  e?: number;
  /** Deleted by. */
  d?: string;
}

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

/**
 * A mailbox's stream entry as a direct message, with what is kept beside
 * it (its text, quote and state). Entries written before texts were kept
 * beside the stream have theirs in it.
 */
function toDirect(
  owner: string,
  [id, fields]: StreamEntry,
  text: string | null,
  quote: string | null,
  stateJson: string | null,
): StoredDirect {
  const value = fieldsOf(fields);
  const state = stateJson ? (JSON.parse(stateJson) as MessageState) : {};
  const deleted = state.d !== undefined;
  const direct: StoredDirect = {
    owner,
    dseq: numberOf(id),
    id: value.id ?? '',
    from: value.from ?? '',
    to: value.to ?? '',
    text: deleted ? '' : (text ?? value.text ?? ''),
    ts: Number(value.ts),
    action: value.action === '1',
    ...replyOf(value, quote),
  };
  if (value.fi !== undefined) direct.fromIdentity = value.fi;
  if (value.ti !== undefined) direct.toIdentity = value.ti;
  if (deleted) direct.deletedBy = state.d!;
  else if (state.e !== undefined) direct.edited = state.e;
  return direct;
}

/** A copied message's edited or deleted state, as the states hash keeps it ('' for none). */
function stateArg(draft: DirectDraft): string {
  if (draft.deletedBy !== undefined) return JSON.stringify({ d: draft.deletedBy });
  return draft.edited === undefined ? '' : JSON.stringify({ e: draft.edited });
}

/** The key prefix of the sets of who reacted to each message of a room or mailbox. */
export function reactedPrefix(prefix: string, key: string): string {
  return `${storeKey(prefix, 'reacted', key)}:`;
}

/**
 * A room's stream entry as a message, with what is kept beside it (its
 * text, its quote, its state); undefined when its text was trimmed.
 * Entries written before texts were kept beside the stream have theirs in it.
 */
function toMessage(
  roomKey: string,
  [id, fields]: StreamEntry,
  text: string | null,
  quote: string | null,
  stateJson: string | null,
): StoredMessage | undefined {
  const value = fieldsOf(fields);
  const state = stateJson ? (JSON.parse(stateJson) as MessageState) : {};
  const deleted = state.d !== undefined;
  const kept = text ?? value.text;
  if (kept === undefined && !deleted) return undefined;
  const message: StoredMessage = {
    roomKey,
    seq: numberOf(id),
    id: value.id ?? '',
    room: value.room ?? roomKey,
    from: value.from ?? '',
    text: deleted ? '' : kept!,
    ts: Number(value.ts),
    action: value.action === '1',
    ...replyOf(value, quote),
  };
  if (value.owner !== undefined) message.owner = value.owner;
  if (deleted) message.deletedBy = state.d!;
  else if (state.e !== undefined) message.edited = state.e;
  return message;
}

/** A reply's fields of a stream entry (and its quote kept beside it), as a message's `reply`. */
function replyOf(
  value: Record<string, string>,
  quote: string | null = null,
): { reply?: ReplyExcerpt } {
  if (value.rid === undefined) return {};
  if (quote === DELETED_QUOTE)
    return { reply: { id: value.rid, from: value.rfrom ?? '', text: '', deleted: true } };
  return { reply: { id: value.rid, from: value.rfrom ?? '', text: quote ?? value.rtext ?? '' } };
}

/** A reply's script arguments: the answered message's id, sender and quote ('' for none). */
function replyArgs(reply: ReplyExcerpt | undefined): string[] {
  return reply ? [reply.id, reply.from, reply.text] : ['', '', ''];
}

/**
 * The parts of a room (its counter, its stream, its ids; its change
 * counter, reactions, who reacted, changed messages) and of a mailbox (the
 * same, and what waits in it).
 */
export type StoreKeyKind =
  | 'seq'
  | 'history'
  | 'ids'
  | 'dseq'
  | 'mailbox'
  | 'waiting'
  | 'dids'
  | 'texts'
  | 'quotes'
  | 'quoting'
  | 'states'
  | 'rev'
  | 'reactions'
  | 'reacted'
  | 'changes';

/** The key of one part of a room or mailbox, under a chat's prefix. */
export function storeKey(prefix: string, kind: StoreKeyKind, id: string): string {
  return `${prefix}${kind}:${id}`;
}

/** Whether a mailbox is kept until its owner asks (an account's), rather than for an age (a guest's). */
function keepsUntilAsked(owner: string): boolean {
  return !owner.startsWith('g:');
}

/** Runs a script or command; Redis out of reach is `unavailable`, so the sender is told to send again. */
async function reachable<T>(append: () => Promise<T>): Promise<T> {
  try {
    return await append();
  } catch (error) {
    throw new ConfabError('unavailable', 'the history store cannot be reached', { cause: error });
  }
}

/** The script arguments of a publication made in the same step (empty: none). */
export function publicationArgs(publication?: Publication): [string, string, string] {
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
  private readonly limits: MailboxLimits;
  private readonly guard: NumberingGuard | undefined;

  constructor(options: RedisStoreOptions) {
    this.guard = options.guard;
    this.client = defineScripts<ScriptedRedis>(options.client, {
      confabAppend: { keys: 7, lua: APPEND },
      confabAppendDirect: { keys: 11, lua: APPEND_DIRECT },
    });
    this.prefix = options.prefix ?? 'confab:';
    this.maxPerRoom = options.maxPerRoom ?? 100_000;
    this.ownsClient = options.ownsClient ?? false;
    this.limits = options.mailbox ?? DEFAULT_MAILBOX_LIMITS;
  }

  /** Stores a message; with `publication`, publishes it in the same atomic step. */
  async append(draft: MessageDraft, publication?: Publication): Promise<StoredMessage> {
    const seq = await this.guarded(() =>
      this.client.confabAppend(
        this.key('seq', draft.roomKey),
        this.key('history', draft.roomKey),
        this.key('texts', draft.roomKey),
        this.key('quotes', draft.roomKey),
        this.key('quoting', draft.roomKey),
        this.key('states', draft.roomKey),
        this.key('ids', draft.roomKey),
        this.maxPerRoom,
        draft.id,
        draft.room,
        draft.from,
        draft.text,
        draft.ts,
        draft.action ? '1' : '0',
        ...publicationArgs(publication),
        this.guard?.key ?? '',
        ...replyArgs(draft.reply),
        draft.owner ?? '',
      ),
    );
    this.guard?.sawRoom(draft.roomKey, seq);
    return { ...draft, seq };
  }

  /**
   * Runs an append script; when Redis lost data (the guard is gone), the
   * numbering is set right first (see `NumberingGuard`), and it runs again.
   */
  private async guarded(append: () => Promise<number>): Promise<number> {
    const answer = await reachable(append);
    if (answer !== DATA_LOST || !this.guard) return answer;
    await reachable(() => this.guard!.recover());
    return reachable(append);
  }

  async page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    const entries = await this.range(this.key('history', roomKey), query);
    const messages = await this.messagesOf(roomKey, entries);
    if (query.after === undefined || messages.length === entries.length) return messages;
    if (entries.length < query.limit) return messages;
    // The stream trims a node of entries at a time, its texts one by one:
    // the oldest entries may have lost theirs. Read on past them, so that a
    // page short of the limit still means the end (a resume stops there).
    const last = numberOf(entries.at(-1)![0]);
    return [
      ...messages,
      ...(await this.page(roomKey, { after: last, limit: query.limit - messages.length })),
    ];
  }

  /** The room's entries as messages, with what is kept beside them (one more round trip). */
  private async messagesOf(roomKey: string, entries: StreamEntry[]): Promise<StoredMessage[]> {
    if (entries.length === 0) return [];
    const beside = await this.beside(
      roomKey,
      entries.map(([id]) => numberOf(id)),
    );
    const messages: StoredMessage[] = [];
    entries.forEach((entry, i) => {
      const message = toMessage(
        roomKey,
        entry,
        beside.texts[i] ?? null,
        beside.quotes[i] ?? null,
        beside.states[i] ?? null,
      );
      if (message) messages.push(message);
    });
    return messages;
  }

  /** What is kept beside a room's (or a mailbox's) stream for these numbers: texts, quotes, states. */
  private async beside(roomKey: string, numbers: number[]): Promise<Beside> {
    const seqs = numbers.map(String);
    const results = await reachable(() =>
      // One transaction: an edit's text and its state are read as one.
      this.client
        .multi()
        .hmget(this.key('texts', roomKey), ...seqs)
        .hmget(this.key('quotes', roomKey), ...seqs)
        .hmget(this.key('states', roomKey), ...seqs)
        .exec(),
    );
    const [texts, quotes, states] = (results ?? []).map(([error, value]) => {
      if (error) throw new ConfabError('unavailable', 'the history store cannot be reached');
      return value as Array<string | null>;
    });
    return { texts: texts ?? [], quotes: quotes ?? [], states: states ?? [] };
  }

  /**
   * Keeps a direct message in a mailbox (counted as waiting from
   * `waitingFrom`, when the owner is away); with `publication`, publishes
   * it in the same atomic step.
   */
  async appendDirect(
    owner: string,
    draft: DirectDraft,
    waitingFrom?: string,
    publication?: Publication,
  ): Promise<StoredDirect> {
    const limits = this.limits;
    const dseq = await this.guarded(() =>
      this.client.confabAppendDirect(
        this.key('dseq', owner),
        this.key('mailbox', owner),
        this.key('waiting', owner),
        this.key('texts', owner),
        this.key('quotes', owner),
        this.key('quoting', owner),
        this.key('states', owner),
        this.key('rev', owner),
        this.key('reactions', owner),
        this.key('changes', owner),
        this.key('dids', owner),
        limits.history,
        draft.id,
        draft.from,
        draft.to,
        draft.text,
        draft.ts,
        draft.action ? '1' : '0',
        ...publicationArgs(publication),
        waitingFrom ?? '',
        utf8ByteLength(draft.text),
        limits.waiting,
        limits.waitingBytes,
        limits.waitingPerSender,
        limits.waitingBytesPerSender,
        keepsUntilAsked(owner) ? 0 : limits.guestTtlMs,
        this.guard?.key ?? '',
        ...replyArgs(draft.reply),
        draft.fromIdentity ?? '',
        draft.toIdentity ?? '',
        stateArg(draft),
        reactedPrefix(this.prefix, owner),
      ),
    );
    if (dseq < 0) throw mailboxFull(dseq === -2);
    this.guard?.sawMailbox(owner, dseq);
    return { ...draft, owner, dseq };
  }

  async clearWaiting(owner: string): Promise<void> {
    await reachable(() => this.client.del(this.key('waiting', owner)));
  }

  async pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    const entries = await this.range(this.key('mailbox', owner), query);
    return this.directsOf(owner, entries);
  }

  /** A mailbox's entries as messages, with what is kept beside them (one more round trip). */
  private async directsOf(owner: string, entries: StreamEntry[]): Promise<StoredDirect[]> {
    if (entries.length === 0) return [];
    const beside = await this.beside(
      owner,
      entries.map(([id]) => numberOf(id)),
    );
    return entries.map((entry, i) =>
      toDirect(
        owner,
        entry,
        beside.texts[i] ?? null,
        beside.quotes[i] ?? null,
        beside.states[i] ?? null,
      ),
    );
  }

  async find(roomKey: string, id: string): Promise<StoredMessage | undefined> {
    const entry = await this.entryById(this.key('ids', roomKey), this.key('history', roomKey), id);
    return entry && (await this.messagesOf(roomKey, [entry]))[0];
  }

  async findDirect(owner: string, id: string): Promise<StoredDirect | undefined> {
    const entry = await this.entryById(this.key('dids', owner), this.key('mailbox', owner), id);
    return entry && (await this.directsOf(owner, [entry]))[0];
  }

  /** The messages of a room still kept at these seqs, in their order (a search's hits). */
  async messagesAt(roomKey: string, seqs: readonly number[]): Promise<StoredMessage[]> {
    return this.messagesOf(roomKey, await this.entriesAt(this.key('history', roomKey), seqs));
  }

  /** The messages of a mailbox still kept at these dseqs, in their order. */
  async directsAt(owner: string, dseqs: readonly number[]): Promise<StoredDirect[]> {
    return this.directsOf(owner, await this.entriesAt(this.key('mailbox', owner), dseqs));
  }

  /** The entries of a stream at these numbers that it still has, in one round trip. */
  private async entriesAt(stream: string, numbers: readonly number[]): Promise<StreamEntry[]> {
    if (numbers.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const number of numbers) pipeline.xrange(stream, `${number}-0`, `${number}-0`);
    const results = await reachable(() => pipeline.exec());
    const entries: StreamEntry[] = [];
    for (const [error, value] of results ?? []) {
      if (error) throw new ConfabError('unavailable', 'the history store cannot be reached');
      const [entry] = value as StreamEntry[];
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** The stream's entry of this id: its number from the ids set, then that one entry. */
  private async entryById(
    ids: string,
    stream: string,
    id: string,
  ): Promise<StreamEntry | undefined> {
    const number = await reachable(() => this.client.zscore(ids, id));
    if (number === null) return undefined;
    const [entry] = (await reachable(() =>
      this.client.xrange(stream, `${number}-0`, `${number}-0`),
    )) as StreamEntry[];
    return entry;
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

  private key(kind: StoreKeyKind, id: string): string {
    return storeKey(this.prefix, kind, id);
  }
}
