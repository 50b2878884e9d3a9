import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ServerFrame } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type {
  BusEvent,
  FoundMessage,
  SearchIndex,
  SearchPage,
  SearchQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import type { RedisChanges } from '../store/redis-changes.js';
import type { RedisStore } from '../store/redis-store.js';
import { foundOf } from '../store/found-message.js';
import { storeKey } from '../store/redis-store.js';
import type { Candidate, Indexed } from '../store/search-table.js';
import { SearchTable, isRoom } from '../store/search-table.js';

/*
 * Search on a cluster (section 6.10 of PROTOCOL.md). Redis keeps no
 * full-text index, so each node keeps its own: a replica of the index a
 * single server keeps in its SQLite file, fed by the bus, which already
 * brings every node every room message, direct message, edit and delete,
 * in each place's order. A node's cost is the chat's message rate, however
 * many nodes there are, and any node answers any search alone, in one
 * local query and one read of the hits' texts from Redis.
 *
 * The replica remembers, for each room and mailbox, the newest message it
 * indexed and the newest change (`rev`) it applied. A gap in either (the
 * node was down, or its subscription broke) has it read the place again
 * from Redis, from there on: the stream for messages, the changed messages
 * since its `rev` for edits and deletes. At start, and after a resync, it
 * does so for every place Redis has (found by their counters).
 *
 * A message's row in the index is derived from when it was sent and
 * where (see `rowOf`), not from when this node indexed it: every replica
 * orders the same messages the same way, so a search's `next` from one
 * node goes on on another, and what a catch-up adds late still sorts by
 * its time.
 */

const PLACES_SCHEMA = `
  CREATE TABLE IF NOT EXISTS replica_places (
    place  TEXT PRIMARY KEY,
    -- The newest message indexed (seq or dseq), and the newest change applied.
    number INTEGER NOT NULL,
    rev    INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** Messages, or changed messages, read from Redis in one step of a catch-up. */
const CATCH_UP_STEP = 500;

/**
 * Writes wait this long to be made together: the index pays for each
 * transaction (a new segment to merge), and a search writes what waits
 * before it looks, so waiting hides nothing from one.
 */
const WRITE_EVERY_MS = 100;

/** Or until this many wait. */
const WRITES_AT_MOST = 2_000;

/** Every this many messages of a place, what it no longer keeps leaves the index. */
const TRIM_EVERY = 256;

/** Where the replica is kept. */
export type ReplicaFile = { dataDir: string } | 'memory';

/** Options of {@link SearchReplica}. */
export interface SearchReplicaOptions {
  file: ReplicaFile;
  store: RedisStore;
  changes: RedisChanges;
  /** For finding every room and mailbox (SCAN). */
  client: Redis;
  prefix: string;
  /** What a room's stream keeps, and a mailbox's. */
  historyPerRoom: number;
  historyPerMailbox: number;
  /** Resolves once every event published before the call has reached the replica. */
  barrier: () => Promise<void>;
  logger: Logger;
}

/** What the replica knows of one room or mailbox. */
interface PlaceState {
  number: number;
  rev: number;
  /** Being read again from Redis: its live events wait for that. */
  mending: boolean;
  /** Events came while it was: read again when done. */
  again: boolean;
}

/** A write to the index, waiting for the next transaction. */
type Write =
  | { kind: 'add'; place: string; number: number; message: Indexed }
  | { kind: 'edit'; place: string; number: number; text: string }
  | { kind: 'erase'; place: string; number: number }
  | { kind: 'forget'; place: string; number: number };

/**
 * A message's row: its time in milliseconds, times 1,024, plus its number
 * offset by a hash of its place, both taken modulo 1,024: every node
 * computes the same, a place's messages of one millisecond keep their
 * order (but where the offset wraps), and two places' messages of one
 * millisecond rarely meet (when they do, the second takes the next free
 * row: only then may two nodes order them differently). Good until the
 * year 2248.
 */
export function rowOf(ts: number, place: string, number: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < place.length; i++) {
    hash ^= place.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ts * 1024 + ((hash + number) & 1023);
}

/** The glob pattern matching `text` exactly, for SCAN's MATCH. */
function literal(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Opens this node's file in `dataDir`: the first of `search-index-N.sqlite`
 * that no other process holds (each holds its own until it closes), so the
 * processes of `--workers` on one machine each keep one, and a process
 * started again takes up one a stopped one left.
 */
function openOwnFile(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  for (let slot = 0; ; slot++) {
    const db = new DatabaseSync(join(dataDir, `search-index-${slot}.sqlite`));
    try {
      db.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE;');
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
      // The first write takes the lock, held until the file is closed.
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
      return db;
    } catch (error) {
      db.close();
      if (slot >= 255) throw error;
    }
  }
}

/** A node's replica of the search index: see the top of this file. */
export class SearchReplica implements SearchIndex {
  private readonly db: DatabaseSync;
  private readonly table: SearchTable;
  private readonly places = new Map<string, PlaceState>();
  /** Places whose state changed since the last transaction. */
  private readonly dirty = new Set<string>();
  private readonly readPlace;
  private readonly savePlace;
  private writes: Write[] = [];
  private scheduled: NodeJS.Timeout | undefined;
  /** Catch-ups running: `settled` waits for them. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: SearchReplicaOptions) {
    // What the replica holds can be read again from Redis: it is written
    // without waiting for the disk (synchronous = OFF), and a file lost or
    // torn is made again.
    this.db =
      options.file === 'memory' ? new DatabaseSync(':memory:') : openOwnFile(options.file.dataDir);
    this.db.exec(PLACES_SCHEMA);
    this.table = new SearchTable(this.db);
    this.readPlace = this.db.prepare('SELECT number, rev FROM replica_places WHERE place = ?');
    this.savePlace = this.db.prepare(
      `INSERT INTO replica_places (place, number, rev) VALUES (?, ?, ?)
       ON CONFLICT (place) DO UPDATE SET number = excluded.number, rev = excluded.rev`,
    );
  }

  /** Takes a bus event: a message, an edit or a delete is indexed; a resync catches up. */
  take(event: BusEvent): void {
    if (this.closed) return;
    if (event.kind === 'resync') void this.catchUp();
    else if (event.kind === 'room' && event.seq !== undefined && event.frame.type === 'message')
      this.message(event.roomKey, event.seq, {
        ts: event.frame.ts,
        sender: event.frame.from,
        text: event.frame.text,
      });
    else if (event.kind === 'direct' && event.frame.dseq !== undefined)
      this.message(event.owner, event.frame.dseq, {
        ts: event.frame.ts,
        sender: event.frame.from,
        recipient: event.frame.to ?? '',
        text: event.frame.text,
      });
    else if (event.kind === 'room' && event.rev !== undefined)
      this.change(event.roomKey, event.rev, event.frame);
    else if (event.kind === 'direct-change') this.change(event.owner, event.rev, event.frame);
  }

  /**
   * Reads again from Redis what every room and mailbox has that the
   * replica has not; resolves when it has.
   */
  catchUp(): Promise<void> {
    const run = this.catchUpAll().finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** Resolves once what was sent before the call, and every catch-up running, is in the index. */
  async settled(): Promise<void> {
    await this.options.barrier();
    while (this.running.size > 0) await Promise.all([...this.running]);
    this.write();
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    // What was said before the search is found by it, whichever node took it.
    await this.options.barrier();
    this.write();
    return this.table.search(query, (rows) => this.read(rows));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.write();
    this.db.close();
  }

  /** A message numbered `number` in `place`, live from the bus. */
  private message(place: string, number: number, message: Indexed): void {
    if (!this.inTurn(place, 'number', number)) return;
    this.queue({ kind: 'add', place, number, message });
    const keeps = isRoom(place) ? this.options.historyPerRoom : this.options.historyPerMailbox;
    if (number % TRIM_EVERY === 0 && number > keeps)
      this.queue({ kind: 'forget', place, number: number - keeps });
  }

  /** A change numbered `rev` in `place`, live from the bus: edits and deletes matter here. */
  private change(place: string, rev: number, frame: ServerFrame): void {
    if (!this.inTurn(place, 'rev', rev)) return;
    if (frame.type !== 'edited' && frame.type !== 'deleted') {
      // A reaction: nothing to index, but its rev is the place's now.
      this.queue(undefined);
      return;
    }
    const number = frame.seq ?? frame.dseq;
    if (number === undefined) return;
    this.queue(
      frame.type === 'edited'
        ? { kind: 'edit', place, number, text: frame.text }
        : { kind: 'erase', place, number },
    );
  }

  /**
   * Whether a live event numbered `value` (a message's number, or a
   * change's `rev`) is the next the replica takes of `place`, and if so
   * counts it taken. An older one is skipped; one past a gap has the place
   * read again from Redis instead; any that comes while the place is being
   * read has it read again after.
   */
  private inTurn(place: string, counter: 'number' | 'rev', value: number): boolean {
    const state = this.state(place);
    if (state.mending) {
      state.again = true;
      return false;
    }
    if (value <= state[counter]) return false;
    if (value > state[counter] + 1) {
      void this.mend(place);
      return false;
    }
    state[counter] = value;
    this.dirty.add(place);
    return true;
  }

  /** What the replica knows of a place (read from its file the first time). */
  private state(place: string): PlaceState {
    let state = this.places.get(place);
    if (!state) {
      const row = this.readPlace.get(place) as { number: number; rev: number } | undefined;
      state = { number: row?.number ?? 0, rev: row?.rev ?? 0, mending: false, again: false };
      this.places.set(place, state);
    }
    return state;
  }

  /** Queues a write (or only the places' states, with none) for the next transaction. */
  private queue(write: Write | undefined): void {
    if (write) this.writes.push(write);
    if (this.writes.length >= WRITES_AT_MOST) this.write();
    else this.scheduled ??= setTimeout(() => this.write(), WRITE_EVERY_MS);
  }

  /** Writes what is queued, and the places' states, in one transaction. */
  private write(extra?: () => void): void {
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    if (this.closed && extra) return;
    const writes = this.writes;
    this.writes = [];
    this.db.exec('BEGIN');
    try {
      for (const write of writes) this.apply(write);
      extra?.();
      for (const place of this.dirty) {
        const state = this.places.get(place);
        if (state) this.savePlace.run(place, state.number, state.rev);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      // What the bus brought is lost: go on from what the file says, and read the rest again.
      this.options.logger.warn({ err: error }, 'the search index could not be written');
      this.dirty.clear();
      this.places.clear();
      void this.catchUp();
      return;
    }
    this.dirty.clear();
    // Places live on in the file; the map holds only those of late.
    if (this.places.size > 10_000)
      for (const [place, state] of this.places) if (!state.mending) this.places.delete(place);
  }

  private apply(write: Write): void {
    const { place, number } = write;
    if (write.kind === 'add') {
      if (!this.table.has(place, number))
        this.table.add(place, number, write.message, rowOf(write.message.ts, place, number));
    } else if (write.kind === 'edit') this.table.edit(place, number, write.text);
    else if (write.kind === 'erase') this.table.erase(place, number);
    else this.table.forget(place, number);
  }

  private async catchUpAll(): Promise<void> {
    const started = Date.now();
    const before = this.count();
    let places = 0;
    try {
      // One pass over the keys finds both counters: a room's (`seq:`) and a mailbox's (`dseq:`).
      const rooms = storeKey(this.options.prefix, 'seq', '');
      const mailboxes = storeKey(this.options.prefix, 'dseq', '');
      const keys = this.options.client.scanStream({
        match: `${literal(this.options.prefix)}*seq:*`,
        count: 1000,
      });
      for await (const batch of keys as AsyncIterable<string[]>) {
        for (const key of batch) {
          if (this.closed) return;
          // A room's key starts with `#`, a mailbox's owner never does.
          const place = key.startsWith(rooms)
            ? key.slice(rooms.length)
            : key.startsWith(mailboxes)
              ? key.slice(mailboxes.length)
              : undefined;
          if (place === undefined || isRoom(place) !== key.startsWith(rooms)) continue;
          places++;
          await this.mend(place);
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'the search index could not catch up');
      return;
    }
    this.options.logger.info(
      { places, indexed: this.count() - before, ms: Date.now() - started },
      'the search index caught up',
    );
  }

  /** Messages in the index (for the log). */
  private count(): number {
    return Number(
      (this.db.prepare('SELECT COUNT(*) AS n FROM search_rows').get() as { n: number }).n,
    );
  }

  /**
   * Reads a place again from Redis from where the replica is: the messages
   * after its newest (as they are now: edited text, deleted ones left out),
   * then the messages changed after its `rev`. Its live events wait, and
   * it reads again if any came.
   */
  private async mend(place: string): Promise<void> {
    const state = this.state(place);
    if (state.mending) {
      state.again = true;
      return;
    }
    state.mending = true;
    const run = this.mendOnce(place, state).finally(() => {
      state.mending = false;
      this.running.delete(run);
    });
    this.running.add(run);
    return run;
  }

  private async mendOnce(place: string, state: PlaceState): Promise<void> {
    const { store, changes } = this.options;
    const room = isRoom(place);
    try {
      do {
        state.again = false;
        // Messages read from nothing are read as they are after every change so far.
        const fresh = state.number === 0 && state.rev === 0;
        const revBefore = fresh ? await changes.rev(place) : 0;
        for (;;) {
          const page: Array<StoredMessage | StoredDirect> = room
            ? await store.page(place, { after: state.number, limit: CATCH_UP_STEP })
            : await store.pageDirect(place, { after: state.number, limit: CATCH_UP_STEP });
          if (this.closed) return;
          this.dirty.add(place);
          this.write(() => {
            for (const message of page) {
              const number = 'dseq' in message ? message.dseq : message.seq;
              if (number <= state.number) continue;
              state.number = number;
              if (message.deletedBy === undefined)
                this.apply({ kind: 'add', place, number, message: indexedOf(message) });
            }
          });
          if (page.length < CATCH_UP_STEP) break;
        }
        state.rev = Math.max(state.rev, revBefore);
        this.dirty.add(place);
        for (;;) {
          const changed = await changes.changedAfter(place, state.rev, CATCH_UP_STEP);
          if (changed.length === 0) break;
          const numbers = changed.map((c) => c.seq);
          const now: Array<StoredMessage | StoredDirect> = room
            ? await store.messagesAt(place, numbers)
            : await store.directsAt(place, numbers);
          if (this.closed) return;
          const byNumber = new Map(now.map((m) => ['dseq' in m ? m.dseq : m.seq, m]));
          this.dirty.add(place);
          this.write(() => {
            for (const { seq, rev } of changed) {
              const message = byNumber.get(seq);
              if (!message || message.deletedBy !== undefined)
                this.apply({ kind: 'erase', place, number: seq });
              else this.apply({ kind: 'edit', place, number: seq, text: message.text });
              state.rev = Math.max(state.rev, rev);
            }
          });
          if (changed.length < CATCH_UP_STEP) break;
        }
      } while (state.again && !this.closed);
    } catch (error) {
      // Redis is out of reach: the resync when it is back reads the place again.
      this.options.logger.debug(
        { err: error, place },
        'a place of the search index could not catch up',
      );
    }
  }

  /** The hits' messages as they are now in Redis; those no longer kept leave the index. */
  private async read(rows: Candidate[]): Promise<FoundMessage[]> {
    const byPlace = new Map<string, number[]>();
    for (const row of rows) {
      const numbers = byPlace.get(row.place) ?? [];
      numbers.push(row.number);
      byPlace.set(row.place, numbers);
    }
    const kept = new Map<string, StoredMessage | StoredDirect>();
    await Promise.all(
      [...byPlace].map(async ([place, numbers]) => {
        const messages: Array<StoredMessage | StoredDirect> = isRoom(place)
          ? await this.options.store.messagesAt(place, numbers)
          : await this.options.store.directsAt(place, numbers);
        for (const message of messages)
          kept.set(`${place}\t${'dseq' in message ? message.dseq : message.seq}`, message);
      }),
    );
    const found: FoundMessage[] = [];
    for (const row of rows) {
      const message = kept.get(`${row.place}\t${row.number}`);
      if (!message || message.deletedBy !== undefined) {
        // Trimmed, expired with a guest's mailbox, or deleted while this node was away.
        this.queue({ kind: 'erase', place: row.place, number: row.number });
        continue;
      }
      found.push(foundOf(message, row.row));
    }
    return found;
  }
}

/** What the index keeps of a message read from Redis. */
function indexedOf(message: StoredMessage | StoredDirect): Indexed {
  return 'dseq' in message
    ? { ts: message.ts, sender: message.from, recipient: message.to, text: message.text }
    : { ts: message.ts, sender: message.from, text: message.text };
}
