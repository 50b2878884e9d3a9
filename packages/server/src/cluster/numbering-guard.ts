import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { useEntry } from '../recently-used.js';
import { defineScripts } from './scripts.js';

/**
 * KEYS: this node's guard. ARGV: pairs of a counter key and the highest
 * number this node has seen it give. Raises each counter below what was
 * seen to it, then sets the guard. Returns triples of the counter raised,
 * its value before, and the value now.
 */
const RAISE = `
local raised = {}
for i = 1, #ARGV, 2 do
  local before = tonumber(redis.call('GET', ARGV[i]) or '0')
  local seen = tonumber(ARGV[i + 1])
  if before < seen then
    redis.call('SET', ARGV[i], seen)
    raised[#raised + 1] = ARGV[i]
    raised[#raised + 1] = before
    raised[#raised + 1] = seen
  end
end
redis.call('SET', KEYS[1], '1')
return raised
`;

type ScriptedRedis = Redis & {
  confabRaise(guard: string, ...pairs: Array<string | number>): Promise<Array<string | number>>;
};

/** Counters remembered, per kind; past it, the one seen longest ago is forgotten. */
const MAX_REMEMBERED = 100_000;
/** Counters raised per script call. */
const RAISE_STEP = 500;

/** What a Redis that lost data was found to have lost, as `/healthz` shows it. */
export interface DataLoss {
  /** When it was found (ms since the epoch). */
  at: number;
  rooms: number;
  mailboxes: number;
  /** Numbers given before that Redis no longer had: at least this many messages were lost. */
  messages: number;
}

/**
 * Keeps a `seq` or `dseq` from being given twice after Redis loses its
 * data (restarted without persistence, or from an old snapshot). Each node
 * remembers the highest number it has seen given in each room and
 * mailbox (every node sees every event on the bus), and holds a guard key
 * in Redis that the append scripts require. A Redis that lost its data
 * lost the guard too: the first append refuses, and the node raises every
 * counter it knows to what it has seen before numbering anything again,
 * says what was lost, and sets its guard once more.
 */
export class NumberingGuard {
  private readonly client: ScriptedRedis;
  private readonly rooms = new Map<string, number>();
  private readonly mailboxes = new Map<string, number>();
  /** Rooms' change numbers (`rev`): no message is lost with one, but none may be given twice either. */
  private readonly revs = new Map<string, number>();
  private recovering: Promise<void> | undefined;
  /** What was lost, once a loss was found. */
  lost: DataLoss | undefined;

  constructor(
    client: Redis,
    /** This node's guard key. */
    readonly key: string,
    private readonly counterKey: (kind: 'seq' | 'dseq' | 'rev', id: string) => string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.client = defineScripts<ScriptedRedis>(client, { confabRaise: { keys: 1, lua: RAISE } });
  }

  /** Sets the guard: this node numbers from now on. */
  async arm(): Promise<void> {
    await this.client.set(this.key, '1');
  }

  /** Takes the guard away (a node leaving the cluster). */
  async disarm(): Promise<void> {
    await this.client.del(this.key);
  }

  /** A room's message numbered `seq` was given. */
  sawRoom(roomKey: string, seq: number): void {
    remember(this.rooms, roomKey, seq);
  }

  /** A room's change numbered `rev` was made. */
  sawRev(roomKey: string, rev: number): void {
    remember(this.revs, roomKey, rev);
  }

  /** A mailbox's message numbered `dseq` was given. */
  sawMailbox(owner: string, dseq: number): void {
    remember(this.mailboxes, owner, dseq);
  }

  /** After Redis came back: if the guard is gone, Redis lost data, and the numbering is set right now. */
  async check(): Promise<void> {
    if ((await this.client.exists(this.key)) === 0) await this.recover();
  }

  /** Raises every counter this node knows past what it has seen; once at a time however often asked. */
  recover(): Promise<void> {
    this.recovering ??= this.raise().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async raise(): Promise<void> {
    const pairs: Array<string | number> = [];
    for (const [roomKey, seq] of this.rooms) pairs.push(this.counterKey('seq', roomKey), seq);
    for (const [owner, dseq] of this.mailboxes) pairs.push(this.counterKey('dseq', owner), dseq);
    for (const [roomKey, rev] of this.revs) pairs.push(this.counterKey('rev', roomKey), rev);
    const loss: DataLoss = { at: this.now(), rooms: 0, mailboxes: 0, messages: 0 };
    const dseqPrefix = this.counterKey('dseq', '');
    const revPrefix = this.counterKey('rev', '');
    for (let i = 0; i === 0 || i < pairs.length; i += 2 * RAISE_STEP) {
      const raised = await this.client.confabRaise(this.key, ...pairs.slice(i, i + 2 * RAISE_STEP));
      for (let j = 0; j + 2 < raised.length; j += 3) {
        // Changes lost are reactions, not messages: raised, not counted.
        if (String(raised[j]).startsWith(revPrefix)) continue;
        if (String(raised[j]).startsWith(dseqPrefix)) loss.mailboxes++;
        else loss.rooms++;
        loss.messages += Number(raised[j + 2]) - Number(raised[j + 1]);
      }
    }
    if (loss.rooms + loss.mailboxes === 0) {
      this.logger.warn('redis lost this node’s guard key, but no numbering this node knows of');
      return;
    }
    this.lost = loss;
    this.logger.error(
      { rooms: loss.rooms, mailboxes: loss.mailboxes, messages: loss.messages },
      'redis lost data: acked messages are gone; numbering goes on above what was given, so no seq or dseq is given twice',
    );
  }
}

function remember(map: Map<string, number>, key: string, number: number): void {
  const known = map.get(key);
  if (known !== undefined && known >= number) return;
  useEntry(map, key, MAX_REMEMBERED, () => number);
  map.set(key, number);
}
