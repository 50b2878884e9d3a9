import type { ReactionCount } from '@confab/protocol';
import { ConfabError, LIMITS } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { NumberingGuard } from '../cluster/numbering-guard.js';
import { defineScripts } from '../cluster/scripts.js';
import type {
  ChangeStore,
  ChangedMessage,
  DeleteChange,
  EditChange,
  MessageChangeOutcome,
  ReactionChange,
  ReactionOutcome,
  MailboxLimits,
} from '../core/ports.js';
import { DEFAULT_MAILBOX_LIMITS, inMailbox } from '../core/ports.js';
import type { Publication } from './redis-store.js';
import { DATA_LOST, publicationArgs, reactedPrefix, storeKey } from './redis-store.js';

/**
 * Lua that numbers a change of message ARGV[1] (id ARGV[2]): the room's
 * counter (KEYS[1]) gives the next rev, the changed messages (KEYS[4]: a
 * sorted set of `seq TAB id` by rev) move it to the end, and past the
 * bound (ARGV[bound]) the one changed longest ago loses its reactions
 * (KEYS[2], and its who-reacted set, a key under the prefix
 * ARGV[prefix]). Sets `rev`.
 */
const NUMBER_CHANGE = (bound: number, prefix: number) => `
local rev = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[4], rev, ARGV[1] .. '\\t' .. ARGV[2])
if redis.call('ZCARD', KEYS[4]) > tonumber(ARGV[${bound}]) then
  local oldest = redis.call('ZPOPMIN', KEYS[4])
  local old = string.match(oldest[1], '^(%d+)')
  redis.call('HDEL', KEYS[2], old)
  redis.call('DEL', ARGV[${prefix}] .. old)
end`;

/**
 * Lua that gives the first `count` keys the life of a guest's mailbox
 * (ARGV[at]: milliseconds; 0 for a room's or an account's, kept).
 */
const EXPIRE = (count: number, at: number) => `
if tonumber(ARGV[${at}]) > 0 then
  for i = 1, ${count} do redis.call('PEXPIRE', KEYS[i], ARGV[${at}]) end
end`;

/** Lua that refuses (-10) when the node's guard (ARGV[at]) is gone: Redis lost data. */
const GUARD = (at: number) =>
  `if ARGV[${at}] ~= '' and redis.call('EXISTS', ARGV[${at}]) == 0 then return {-10} end`;
/**
 * Applies one reaction change atomically. KEYS: the room's change counter,
 * its reactions (a hash of seq -> JSON `[[emoji, count], …]`, in the order
 * each emoji was first given), who reacted to this message (a set of
 * `emoji TAB name`), and its changed messages (a sorted set of
 * `seq TAB id` by rev). ARGV: seq, id, emoji, folded name, '1' to remove,
 * the most different emoji a message may carry, the changed messages a
 * room keeps, the key prefix of who-reacted sets, the publication (command,
 * channel, payload after `R<rev> TAB <count> TAB`), the node's guard key,
 * and the life of a guest's mailbox (see `EXPIRE`). A message's counts
 * hold while its who-reacted set does (a guest's can expire before the
 * mailbox does). Returns {rev, count}; {0} when it was no news; {-1} when
 * the message is full; {-10} when Redis lost data (the guard is gone).
 */
const REACT = `
${GUARD(12)}
local member = ARGV[3] .. '\\t' .. ARGV[4]
local remove = ARGV[5] == '1'
local had = redis.call('SISMEMBER', KEYS[3], member) == 1
if had ~= remove then return {0} end
local summary = {}
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if raw and redis.call('EXISTS', KEYS[3]) == 1 then summary = cjson.decode(raw) end
local at = nil
for i, pair in ipairs(summary) do
  if pair[1] == ARGV[3] then at = i break end
end
if not remove and at == nil and #summary >= tonumber(ARGV[6]) then return {-1} end
local count
if remove then
  redis.call('SREM', KEYS[3], member)
  count = (at and summary[at][2] or 1) - 1
  if at and count <= 0 then table.remove(summary, at) elseif at then summary[at][2] = count end
else
  redis.call('SADD', KEYS[3], member)
  if at == nil then
    table.insert(summary, {ARGV[3], 1})
    count = 1
  else
    count = summary[at][2] + 1
    summary[at][2] = count
  end
end
if #summary == 0 then redis.call('HDEL', KEYS[2], ARGV[1])
else redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(summary)) end
${NUMBER_CHANGE(7, 8)}
${EXPIRE(4, 13)}
if ARGV[9] ~= '' then
  redis.call(ARGV[9], ARGV[10], 'R' .. rev .. '\\t' .. count .. '\\t' .. ARGV[11])
end
return {rev, count}
`;

/**
 * KEYS: a room's reactions, then who reacted to each message asked about.
 * ARGV: the folded name of the reader ('' for none), then the seqs. Returns,
 * per seq, its reactions' JSON (or false) and which emoji the reader gave
 * (a JSON array).
 */
const READ = `
local out = {}
for i = 2, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw and redis.call('EXISTS', KEYS[i]) == 0 then raw = nil end
  local mine = {}
  if raw and ARGV[1] ~= '' then
    for _, pair in ipairs(cjson.decode(raw)) do
      if redis.call('SISMEMBER', KEYS[i], pair[1] .. '\\t' .. ARGV[1]) == 1 then
        table.insert(mine, pair[1])
      end
    end
  end
  out[#out + 1] = raw or false
  out[#out + 1] = #mine > 0 and cjson.encode(mine) or false
end
return out
`;

/**
 * Edits or deletes one message atomically. KEYS as for a reaction (the
 * change counter, reactions, who reacted to this message, changed
 * messages), then the room's texts, states, quotes and quoting (see
 * `RedisStore`'s append). ARGV: seq, id, 'edit' or 'delete', the new text
 * or who deletes, the time, the changed messages a room keeps, the
 * who-reacted prefix, a reply's quote of the new text, the publication
 * (command, channel, payload after `E<rev> TAB` or `D<rev> TAB`), the
 * guard key, and the life of a guest's mailbox (see `EXPIRE`). A message deleted already is not changed: {0}. An edit
 * replaces the text and the quotes of it; a delete erases the text and its
 * quotes (marked deleted: a NUL), its reactions and who gave them. Returns
 * {rev}.
 */
const CHANGE = `
${GUARD(12)}
local state = redis.call('HGET', KEYS[6], ARGV[1])
if state and string.find(state, '"d"', 1, true) then return {0} end
local edit = ARGV[3] == 'edit'
if edit then
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
  redis.call('HSET', KEYS[6], ARGV[1], cjson.encode({e = tonumber(ARGV[5])}))
else
  redis.call('HDEL', KEYS[5], ARGV[1])
  redis.call('HSET', KEYS[6], ARGV[1], cjson.encode({d = ARGV[4]}))
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[3])
end
local quoting = redis.call('HGET', KEYS[8], ARGV[2])
if quoting then
  for reply in string.gmatch(quoting, '%d+') do
    local quote = redis.call('HGET', KEYS[7], reply)
    if quote and quote ~= '\\0' then
      redis.call('HSET', KEYS[7], reply, edit and ARGV[8] or '\\0')
    end
  end
  if not edit then redis.call('HDEL', KEYS[8], ARGV[2]) end
end
${NUMBER_CHANGE(6, 7)}
${EXPIRE(8, 13)}
if ARGV[9] ~= '' then
  redis.call(ARGV[9], ARGV[10], (edit and 'E' or 'D') .. rev .. '\\t' .. ARGV[11])
end
return {rev}
`;

/** How soon after a delete Redis is asked to rewrite its append-only file, which still holds the text. */
const ERASE_AFTER_MS = 1_000;

type ScriptedRedis = Redis & {
  confabReact(...args: Array<string | number>): Promise<number[]>;
  confabChange(...args: Array<string | number>): Promise<number[]>;
  confabReadReactions(...args: Array<string | number>): Promise<Array<string | null>>;
};

/** Options of {@link RedisChanges}. */
export interface RedisChangesOptions {
  client: Redis;
  /** Prefix of every key. @default 'confab:' */
  prefix?: string;
  /** Changed messages a room keeps (as many as its stream). @default 100000 */
  maxPerRoom?: number;
  /** What a mailbox keeps (its changes, as many as its messages), and how long a guest's lives. @default DEFAULT_MAILBOX_LIMITS */
  mailbox?: MailboxLimits;
  guard?: NumberingGuard;
}

/** Runs a command; Redis out of reach is `unavailable`. */
async function reachable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new ConfabError('unavailable', 'the history store cannot be reached', { cause: error });
  }
}

/** A message's reactions as the store keeps them: `[[emoji, count], …]` (cjson writes `{}` for none). */
function parseSummary(raw: string): Array<[string, number]> {
  const value = JSON.parse(raw) as unknown;
  return Array.isArray(value) ? (value as Array<[string, number]>) : [];
}

/**
 * Reactions in Redis, beside the room's stream: each change is applied,
 * numbered and (for a cluster) published in one script, so every node
 * hears a room's changes in `rev` order.
 */
export class RedisChanges implements ChangeStore {
  private readonly client: ScriptedRedis;
  private readonly prefix: string;
  private readonly maxPerRoom: number;
  private readonly mailbox: MailboxLimits;
  private readonly guard: NumberingGuard | undefined;
  /** Set while a rewrite of Redis's append-only file is due (after a delete). */
  private eraseTimer: NodeJS.Timeout | undefined;

  constructor(options: RedisChangesOptions) {
    this.client = defineScripts<ScriptedRedis>(options.client, {
      confabReact: { keys: 4, lua: REACT },
      confabChange: { keys: 8, lua: CHANGE },
      confabReadReactions: { keys: undefined, lua: READ },
    });
    this.prefix = options.prefix ?? 'confab:';
    this.maxPerRoom = options.maxPerRoom ?? 100_000;
    this.mailbox = options.mailbox ?? DEFAULT_MAILBOX_LIMITS;
    this.guard = options.guard;
  }

  /** The changed messages a room or mailbox keeps. */
  private boundOf(change: { room?: string }): number {
    return inMailbox(change) ? this.mailbox.history : this.maxPerRoom;
  }

  /** How long a mailbox's changes live: a guest's as its messages do; 0 for kept. */
  private lifeOf(change: { roomKey: string; room?: string }): number {
    return inMailbox(change) && change.roomKey.startsWith('g:') ? this.mailbox.guestTtlMs : 0;
  }

  async react(change: ReactionChange, publication?: Publication): Promise<ReactionOutcome> {
    const { roomKey, seq } = change;
    const [rev, count] = await this.numbered(roomKey, () =>
      this.client.confabReact(
        this.key('rev', roomKey),
        this.key('reactions', roomKey),
        this.reactedKey(roomKey, seq),
        this.key('changes', roomKey),
        seq,
        change.id,
        change.emoji,
        change.nameKey,
        change.remove ? '1' : '',
        LIMITS.maxReactionKinds,
        this.boundOf(change),
        this.reactedKey(roomKey, ''),
        ...publicationArgs(publication),
        this.guard?.key ?? '',
        this.lifeOf(change),
      ),
    );
    if (rev === undefined || rev <= 0)
      return rev === -1 ? { changed: false, full: true } : { changed: false };
    return { changed: true, rev, count: count ?? 0 };
  }

  edit(change: EditChange, publication?: Publication): Promise<MessageChangeOutcome> {
    return this.change(change, 'edit', publication);
  }

  async remove(change: DeleteChange, publication?: Publication): Promise<MessageChangeOutcome> {
    const outcome = await this.change(change, 'delete', publication);
    if (outcome.changed) this.eraseTimer ??= setTimeout(() => void this.eraseLog(), ERASE_AFTER_MS);
    return outcome;
  }

  /**
   * Asks Redis to rewrite its append-only file, when it keeps one: until
   * then the file still holds the commands that wrote a deleted text. One
   * rewrite under way already (another node's) is as good.
   */
  private async eraseLog(): Promise<void> {
    this.eraseTimer = undefined;
    try {
      const info = await this.client.info('persistence');
      if (/aof_enabled:1/.test(info)) await this.client.bgrewriteaof();
    } catch {
      // A rewrite under way already, or Redis out of reach: the next delete asks again.
    }
  }

  /** Stops a rewrite that was due (the node is leaving). */
  close(): void {
    clearTimeout(this.eraseTimer);
    this.eraseTimer = undefined;
  }

  private async change(
    change: EditChange | DeleteChange,
    kind: 'edit' | 'delete',
    publication: Publication | undefined,
  ): Promise<MessageChangeOutcome> {
    const { roomKey, seq } = change;
    const [rev] = await this.numbered(roomKey, () =>
      this.client.confabChange(
        this.key('rev', roomKey),
        this.key('reactions', roomKey),
        this.reactedKey(roomKey, seq),
        this.key('changes', roomKey),
        this.key('texts', roomKey),
        this.key('states', roomKey),
        this.key('quotes', roomKey),
        this.key('quoting', roomKey),
        seq,
        change.id,
        kind,
        'text' in change ? change.text : change.by,
        change.ts,
        this.boundOf(change),
        this.reactedKey(roomKey, ''),
        'excerpt' in change ? change.excerpt : '',
        ...publicationArgs(publication),
        this.guard?.key ?? '',
        this.lifeOf(change),
      ),
    );
    return rev === undefined || rev <= 0 ? { changed: false } : { changed: true, rev };
  }

  /**
   * Runs a script that numbers a change (its answer's first number: the
   * rev, or -10 when the node's guard is gone: Redis lost data, and the
   * numbering is set right first, then it runs again). The guard is told
   * every rev given.
   */
  private async numbered(roomKey: string, run: () => Promise<number[]>): Promise<number[]> {
    let answer = await reachable(run);
    if (answer[0] === DATA_LOST && this.guard) {
      await reachable(() => this.guard!.recover());
      answer = await reachable(run);
    }
    if ((answer[0] ?? 0) > 0) this.guard?.sawRev(roomKey, answer[0]!);
    return answer;
  }

  async reactionsOf(
    roomKey: string,
    seqs: readonly number[],
    reader?: string,
  ): Promise<Map<number, ReactionCount[]>> {
    const found = new Map<number, ReactionCount[]>();
    if (seqs.length === 0) return found;
    const rows = await reachable(() =>
      this.client.confabReadReactions(
        1 + seqs.length,
        this.key('reactions', roomKey),
        ...seqs.map((seq) => this.reactedKey(roomKey, seq)),
        reader ?? '',
        ...seqs,
      ),
    );
    seqs.forEach((seq, i) => {
      const raw = rows[2 * i];
      if (!raw) return;
      const mine = new Set(rows[2 * i + 1] ? (JSON.parse(rows[2 * i + 1]!) as string[]) : []);
      const counts = parseSummary(raw).map(([emoji, count]) =>
        mine.has(emoji) ? { emoji, count, me: true as const } : { emoji, count },
      );
      if (counts.length > 0) found.set(seq, counts);
    });
    return found;
  }

  async changedAfter(roomKey: string, rev: number, limit: number): Promise<ChangedMessage[]> {
    const flat = await reachable(() =>
      this.client.zrangebyscore(
        this.key('changes', roomKey),
        `(${rev}`,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        0,
        limit,
      ),
    );
    const changed: ChangedMessage[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i]!;
      const tab = member.indexOf('\t');
      changed.push({
        seq: Number(member.slice(0, tab)),
        id: member.slice(tab + 1),
        rev: Number(flat[i + 1]),
      });
    }
    return changed;
  }

  async rev(roomKey: string): Promise<number> {
    return Number((await reachable(() => this.client.get(this.key('rev', roomKey)))) ?? 0);
  }

  private key(
    kind: 'rev' | 'reactions' | 'changes' | 'texts' | 'states' | 'quotes' | 'quoting',
    roomKey: string,
  ): string {
    return storeKey(this.prefix, kind, roomKey);
  }

  /** Who reacted to one message of a room (with seq '': the prefix of every such key). */
  private reactedKey(roomKey: string, seq: number | string): string {
    return `${reactedPrefix(this.prefix, roomKey)}${seq}`;
  }
}
