import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ReplyExcerpt } from '@confab/protocol';
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
import { ServerError } from '../errors.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { SqliteChanges } from './sqlite-changes.js';
import { SqliteReadMarkers } from './sqlite-read-markers.js';
import { Checkpointer } from './checkpointer.js';
import { SqliteSearch } from './sqlite-search.js';
import { SqliteRooms } from './sqlite-rooms.js';
import type { Waiting } from './waiting.js';
import { checkWaiting } from './waiting.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Folder of the database file (`confab.db`); made if missing. */
  dataDir: string;
  /** What a mailbox keeps, and what may wait in it. @default DEFAULT_MAILBOX_LIMITS */
  mailbox?: MailboxLimits;
  /** The time, for the age of guests' mailboxes. @default Date.now */
  now?: () => number;
  /** Pending rows of the search index that it takes as soon as they are committed (see `SqliteSearch`). @default 256 */
  searchMoveAtOnce?: number;
}

/** Guest mailboxes looked at per expiry step, so that one step is short. */
const EXPIRY_STEP = 200;
/** How often guest mailboxes past their age are looked for. */
const EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

/** An append waiting for the next transaction: a room message or a direct message. */
type Pending =
  | {
      message: StoredMessage;
      resolve: (message: StoredMessage) => void;
      reject: (error: unknown) => void;
    }
  | {
      direct: StoredDirect;
      /** The sender it waits from, and the bytes it counts for, when the owner is away. */
      waiting?: { sender: string; bytes: number };
      resolve: (message: StoredDirect) => void;
      reject: (error: unknown) => void;
    };

/** Mailboxes whose last `dseq` is remembered between appends; past it the memory is cleared (and read again as needed). */
const MAX_REMEMBERED_MAILBOXES = 100_000;

interface Row extends ReplyColumns {
  room_key: string;
  seq: number;
  id: string;
  room: string;
  sender: string;
  text: string;
  ts: number;
  action: number;
  owner?: string | null;
  edited?: number | null;
  deleted_by?: string | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    room_key TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL,
    room     TEXT NOT NULL,
    sender   TEXT NOT NULL,
    text     TEXT NOT NULL,
    ts       INTEGER NOT NULL,
    action   INTEGER NOT NULL DEFAULT 0,
    reply_id   TEXT,
    reply_from TEXT,
    reply_text TEXT,
    PRIMARY KEY (room_key, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS direct_messages (
    owner     TEXT NOT NULL,
    dseq      INTEGER NOT NULL,
    id        TEXT NOT NULL,
    sender    TEXT NOT NULL,
    recipient TEXT NOT NULL,
    text      TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    action    INTEGER NOT NULL DEFAULT 0,
    reply_id   TEXT,
    reply_from TEXT,
    reply_text TEXT,
    PRIMARY KEY (owner, dseq)
  ) WITHOUT ROWID;
  -- Each mailbox's last number and newest message's time (for a guest's, its age).
  CREATE TABLE IF NOT EXISTS mailboxes (
    owner     TEXT PRIMARY KEY,
    last_dseq INTEGER NOT NULL,
    newest    INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS mailboxes_by_age ON mailboxes (newest);
  -- What waits in a mailbox for its owner, by sender (an identity).
  CREATE TABLE IF NOT EXISTS mailbox_waiting (
    owner  TEXT NOT NULL,
    sender TEXT NOT NULL,
    count  INTEGER NOT NULL,
    bytes  INTEGER NOT NULL,
    PRIMARY KEY (owner, sender)
  ) WITHOUT ROWID;
`;

/**
 * Made after `SCHEMA` and its upgrade: a reply finds what it answers by id,
 * and an edit or a delete the replies that quote it.
 */
const ID_INDEXES = `
  CREATE INDEX IF NOT EXISTS messages_by_id ON messages (room_key, id);
  CREATE INDEX IF NOT EXISTS messages_by_reply ON messages (room_key, reply_id)
    WHERE reply_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS direct_messages_by_id ON direct_messages (owner, id);
  CREATE INDEX IF NOT EXISTS direct_messages_by_reply ON direct_messages (owner, reply_id)
    WHERE reply_id IS NOT NULL;
`;

/** Columns added since a table was first made, for files made before them. */
const ADDED_COLUMNS: Record<string, string[]> = {
  messages: [
    'reply_id TEXT',
    'reply_from TEXT',
    'reply_text TEXT',
    'owner TEXT',
    'edited INTEGER',
    'deleted_by TEXT',
  ],
  direct_messages: [
    'reply_id TEXT',
    'reply_from TEXT',
    'reply_text TEXT',
    'from_identity TEXT',
    'to_identity TEXT',
    'edited INTEGER',
    'deleted_by TEXT',
  ],
};

/** Adds the columns a file made by an older server lacks. */
function upgrade(db: DatabaseSync): void {
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const have = new Set(
      (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
        (c) => c.name,
      ),
    );
    for (const column of columns)
      if (!have.has(column.split(' ')[0]!)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
}

/**
 * The reply columns of a row, as a message's `reply`. A room message's
 * quote whose text is gone (NULL) quotes a message deleted since.
 */
function replyOf(row: ReplyColumns, deletable = false): { reply?: ReplyExcerpt } {
  if (row.reply_id === null || row.reply_id === undefined) return {};
  const reply: ReplyExcerpt = {
    id: row.reply_id,
    from: row.reply_from ?? '',
    text: row.reply_text ?? '',
  };
  if (deletable && (row.reply_text === null || row.reply_text === undefined)) reply.deleted = true;
  return { reply };
}

interface ReplyColumns {
  reply_id?: string | null;
  reply_from?: string | null;
  reply_text?: string | null;
}

interface DirectRow extends ReplyColumns {
  owner: string;
  dseq: number;
  id: string;
  sender: string;
  recipient: string;
  text: string;
  ts: number;
  action: number;
  from_identity?: string | null;
  to_identity?: string | null;
  edited?: number | null;
  deleted_by?: string | null;
}

function toDirect(row: DirectRow): StoredDirect {
  const direct: StoredDirect = {
    owner: row.owner,
    dseq: row.dseq,
    id: row.id,
    from: row.sender,
    to: row.recipient,
    text: row.text,
    ts: row.ts,
    action: row.action === 1,
    ...replyOf(row, true),
  };
  if (row.from_identity !== null && row.from_identity !== undefined)
    direct.fromIdentity = row.from_identity;
  if (row.to_identity !== null && row.to_identity !== undefined)
    direct.toIdentity = row.to_identity;
  if (row.deleted_by !== null && row.deleted_by !== undefined) direct.deletedBy = row.deleted_by;
  else if (row.edited !== null && row.edited !== undefined) direct.edited = row.edited;
  return direct;
}

function toMessage(row: Row): StoredMessage {
  const message: StoredMessage = {
    roomKey: row.room_key,
    seq: row.seq,
    id: row.id,
    room: row.room,
    from: row.sender,
    text: row.text,
    ts: row.ts,
    action: row.action === 1,
    ...replyOf(row, true),
  };
  if (row.owner !== null && row.owner !== undefined) message.owner = row.owner;
  if (row.deleted_by !== null && row.deleted_by !== undefined) message.deletedBy = row.deleted_by;
  else if (row.edited !== null && row.edited !== undefined) message.edited = row.edited;
  return message;
}

/**
 * History in an embedded SQLite file (Node's `node:sqlite`, WAL). Appends are
 * numbered at once and written in one transaction per event-loop turn; each
 * resolves after its transaction commits, when it survives a crash of the
 * process (WAL with `synchronous=NORMAL`: the OS has the pages).
 */
export class SqliteStore implements HistoryStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly selectAfter: StatementSync;
  private readonly selectBefore: StatementSync;
  private readonly selectById: StatementSync;
  private readonly selectDirectById: StatementSync;
  private readonly insertDirect: StatementSync;
  private readonly selectDirectAfter: StatementSync;
  private readonly selectDirectBefore: StatementSync;
  private readonly lastDirect: StatementSync;
  private readonly saveMailbox: StatementSync;
  private readonly trimMailbox: StatementSync;
  private readonly waitingOf: StatementSync;
  private readonly addWaiting: StatementSync;
  private readonly dropWaiting: StatementSync;
  private readonly oldGuests: StatementSync;
  private readonly dropMailbox: StatementSync;
  private readonly dropMailboxEntry: StatementSync;
  /** Counts of messages made to wait in the batch not yet written, by owner then sender. */
  private readonly pendingWaiting = new Map<string, Map<string, Waiting>>();
  private readonly limits: MailboxLimits;
  private readonly now: () => number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly lastSeqs = new Map<string, number>();
  /** Last `dseq` of the mailboxes written lately (read from the table the first time). */
  private readonly lastDseqs = new Map<string, number>();
  /** Accounts and sessions, in the same file. */
  readonly accounts: SqliteAccounts;
  /** Rooms' records, the server's bans and the moderation log, in the same file. */
  readonly rooms: SqliteRooms;
  /** Changes to room messages (reactions, edits, deletes), in the same file. */
  readonly changes: SqliteChanges;
  /** The full-text index of the messages, in the same file, written in the same transactions. */
  readonly search: SqliteSearch;
  /** Where each identity has read up to, in the same file. */
  readonly readMarkers: SqliteReadMarkers;
  /** Copies the log into the file off the event loop (set once the file is open). */
  private checkpointer: Checkpointer | undefined;
  private batch: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;

  private constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    this.db = db;
    this.limits = options.mailbox ?? DEFAULT_MAILBOX_LIMITS;
    this.now = options.now ?? Date.now;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    // A checkpoint (two fsyncs) runs inside a commit, on the event loop: with
    // SQLite's default of one per 1,000 WAL pages a busy room paid it about
    // once a second, and it was the longest pause a message saw. The
    // checkpointer's thread copies the log as it grows; the one a commit runs
    // every 10,000 pages (a WAL of up to 40 MB) is left little to copy.
    db.exec('PRAGMA wal_autocheckpoint = 10000;');
    // What is deleted (a deleted message's text) is overwritten in the file,
    // not only unlinked from it: no page keeps it to be read back.
    db.exec('PRAGMA secure_delete = ON;');
    db.exec(SCHEMA);
    upgrade(db);
    db.exec(ID_INDEXES);
    this.accounts = new SqliteAccounts(db);
    this.accounts.pruneExpired(Date.now());
    this.rooms = new SqliteRooms(db);
    this.search = new SqliteSearch(db, options.searchMoveAtOnce);
    this.readMarkers = new SqliteReadMarkers(db);
    this.changes = new SqliteChanges(db, this.search);
    this.insert = db.prepare(
      'INSERT INTO messages (room_key, seq, id, room, sender, text, ts, action, reply_id, reply_from, reply_text, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectById = db.prepare('SELECT * FROM messages WHERE room_key = ? AND id = ?');
    this.selectDirectById = db.prepare('SELECT * FROM direct_messages WHERE owner = ? AND id = ?');
    this.selectAfter = db.prepare(
      'SELECT * FROM messages WHERE room_key = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.selectBefore = db.prepare(
      'SELECT * FROM (SELECT * FROM messages WHERE room_key = ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    );
    this.insertDirect = db.prepare(
      `INSERT INTO direct_messages (owner, dseq, id, sender, recipient, text, ts, action,
         reply_id, reply_from, reply_text, from_identity, to_identity, edited, deleted_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectDirectAfter = db.prepare(
      'SELECT * FROM direct_messages WHERE owner = ? AND dseq > ? ORDER BY dseq LIMIT ?',
    );
    this.selectDirectBefore = db.prepare(
      'SELECT * FROM (SELECT * FROM direct_messages WHERE owner = ? AND dseq < ? ORDER BY dseq DESC LIMIT ?) ORDER BY dseq',
    );
    this.lastDirect = db.prepare(
      `SELECT MAX(dseq) AS dseq FROM (
         SELECT MAX(dseq) AS dseq FROM direct_messages WHERE owner = ?
         UNION ALL SELECT last_dseq FROM mailboxes WHERE owner = ?)`,
    );
    this.saveMailbox = db.prepare(
      `INSERT INTO mailboxes (owner, last_dseq, newest) VALUES (?, ?, ?)
       ON CONFLICT (owner) DO UPDATE SET last_dseq = MAX(last_dseq, excluded.last_dseq),
         newest = MAX(newest, excluded.newest)`,
    );
    this.trimMailbox = db.prepare('DELETE FROM direct_messages WHERE owner = ? AND dseq <= ?');
    this.waitingOf = db.prepare(
      `SELECT COALESCE(SUM(count), 0) AS count, COALESCE(SUM(bytes), 0) AS bytes,
         COALESCE(SUM(CASE WHEN sender = ? THEN count END), 0) AS mine_count,
         COALESCE(SUM(CASE WHEN sender = ? THEN bytes END), 0) AS mine_bytes
       FROM mailbox_waiting WHERE owner = ?`,
    );
    this.addWaiting = db.prepare(
      `INSERT INTO mailbox_waiting (owner, sender, count, bytes) VALUES (?, ?, 1, ?)
       ON CONFLICT (owner, sender) DO UPDATE SET count = count + 1, bytes = bytes + excluded.bytes`,
    );
    this.dropWaiting = db.prepare('DELETE FROM mailbox_waiting WHERE owner = ?');
    this.oldGuests = db.prepare(
      "SELECT owner FROM mailboxes WHERE newest < ? AND owner >= 'g:' AND owner < 'g;' LIMIT ?",
    );
    this.dropMailbox = db.prepare('DELETE FROM direct_messages WHERE owner = ?');
    this.dropMailboxEntry = db.prepare('DELETE FROM mailboxes WHERE owner = ?');
    this.rememberMailboxes();
    const last = db
      .prepare('SELECT room_key, MAX(seq) AS seq FROM messages GROUP BY room_key')
      .all() as Array<{ room_key: string; seq: number }>;
    for (const row of last) this.lastSeqs.set(row.room_key, row.seq);
  }

  /** Opens (or makes) the database in `dataDir`. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    // Loaded here, not at the top: `--store memory` never touches SQLite.
    const { DatabaseSync } = await import('node:sqlite');
    try {
      mkdirSync(options.dataDir, { recursive: true });
      const file = join(options.dataDir, 'confab.db');
      const store = new SqliteStore(new DatabaseSync(file), options);
      store.expireGuestMailboxes();
      store.checkpointer = new Checkpointer(file);
      return store;
    } catch (error) {
      throw new ServerError(
        'store_open_failed',
        `cannot open the history database in ${options.dataDir}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  append(draft: MessageDraft): Promise<StoredMessage> {
    if (this.closed)
      return Promise.reject(new ServerError('store_closed', 'the history store is closed'));
    const seq = (this.lastSeqs.get(draft.roomKey) ?? 0) + 1;
    this.lastSeqs.set(draft.roomKey, seq);
    const message: StoredMessage = { ...draft, seq };
    return new Promise((resolve, reject) => {
      this.batch.push({ message, resolve, reject });
      this.scheduled ??= setImmediate(() => this.commit());
    });
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    const rows =
      query.after !== undefined
        ? this.selectAfter.all(roomKey, query.after, query.limit)
        : this.selectBefore.all(roomKey, query.before ?? Number.MAX_SAFE_INTEGER, query.limit);
    return Promise.resolve((rows as unknown as Row[]).map(toMessage));
  }

  find(roomKey: string, id: string): Promise<StoredMessage | undefined> {
    const row = this.selectById.get(roomKey, id) as Row | undefined;
    return Promise.resolve(row && toMessage(row));
  }

  findDirect(owner: string, id: string): Promise<StoredDirect | undefined> {
    const row = this.selectDirectById.get(owner, id) as DirectRow | undefined;
    return Promise.resolve(row && toDirect(row));
  }

  appendDirect(owner: string, draft: DirectDraft, waitingFrom?: string): Promise<StoredDirect> {
    if (this.closed)
      return Promise.reject(new ServerError('store_closed', 'the history store is closed'));
    let waiting: { sender: string; bytes: number } | undefined;
    if (waitingFrom !== undefined) {
      try {
        waiting = { sender: waitingFrom, bytes: this.countWaiting(owner, waitingFrom, draft.text) };
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const dseq = this.lastDseqOf(owner) + 1;
    this.lastDseqs.set(owner, dseq);
    const direct: StoredDirect = { ...draft, owner, dseq };
    return new Promise((resolve, reject) => {
      this.batch.push(waiting ? { direct, waiting, resolve, reject } : { direct, resolve, reject });
      this.scheduled ??= setImmediate(() => this.commit());
    });
  }

  async clearWaiting(owner: string): Promise<void> {
    this.pendingWaiting.delete(owner);
    this.dropWaiting.run(owner);
  }

  /**
   * Checks one more message from `sender` waiting in `owner`'s mailbox
   * against the bounds (what is written, and what the batch holds), and
   * counts it in the batch. Returns its bytes.
   */
  private countWaiting(owner: string, sender: string, text: string): number {
    const row = this.waitingOf.get(sender, sender, owner) as {
      count: number;
      bytes: number;
      mine_count: number;
      mine_bytes: number;
    };
    const pending = this.pendingWaiting.get(owner);
    const all = { count: row.count, bytes: row.bytes };
    for (const counted of pending?.values() ?? []) {
      all.count += counted.count;
      all.bytes += counted.bytes;
    }
    const mine = pending?.get(sender) ?? { count: 0, bytes: 0 };
    const bytes = checkWaiting(
      this.limits,
      all,
      { count: row.mine_count + mine.count, bytes: row.mine_bytes + mine.bytes },
      text,
    );
    let bySender = pending;
    if (!bySender) this.pendingWaiting.set(owner, (bySender = new Map()));
    bySender.set(sender, { count: mine.count + 1, bytes: mine.bytes + bytes });
    return bytes;
  }

  /**
   * Forgets guests' mailboxes whose newest message is older than the
   * guest age, a few at a time (each step is short), now and every hour.
   */
  private expireGuestMailboxes(): void {
    clearTimeout(this.expiryTimer);
    if (this.closed) return;
    const owners = this.oldGuests.all(this.now() - this.limits.guestTtlMs, EXPIRY_STEP) as Array<{
      owner: string;
    }>;
    if (owners.length > 0) {
      this.db.exec('BEGIN');
      try {
        for (const { owner } of owners) {
          this.dropMailbox.run(owner);
          this.changes.forget(owner);
          this.search.forget(owner);
          this.readMarkers.forget(owner);
          this.dropWaiting.run(owner);
          this.dropMailboxEntry.run(owner);
          this.lastDseqs.delete(owner);
        }
        this.db.exec('COMMIT');
      } catch {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
      }
    }
    const more = owners.length === EXPIRY_STEP;
    this.expiryTimer = setTimeout(
      () => this.expireGuestMailboxes(),
      more ? 0 : EXPIRY_INTERVAL_MS,
    ).unref();
  }

  /** Mailboxes written by an earlier version get their entry (last number, newest time), once. */
  private rememberMailboxes(): void {
    this.db.exec(
      `INSERT OR IGNORE INTO mailboxes (owner, last_dseq, newest)
       SELECT owner, MAX(dseq), MAX(ts) FROM direct_messages
       WHERE owner NOT IN (SELECT owner FROM mailboxes) GROUP BY owner`,
    );
  }

  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    const rows =
      query.after !== undefined
        ? this.selectDirectAfter.all(owner, query.after, query.limit)
        : this.selectDirectBefore.all(owner, query.before ?? Number.MAX_SAFE_INTEGER, query.limit);
    return Promise.resolve((rows as unknown as DirectRow[]).map(toDirect));
  }

  private lastDseqOf(owner: string): number {
    let last = this.lastDseqs.get(owner);
    if (last === undefined) {
      last = (this.lastDirect.get(owner, owner) as { dseq: number | null } | undefined)?.dseq ?? 0;
      this.lastDseqs.set(owner, last);
    }
    return last;
  }

  async flush(): Promise<void> {
    this.commit();
    this.search.settle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.changes.close();
    this.search.close();
    await this.checkpointer?.stop();
    this.db.close();
  }

  /** Writes the batch in one transaction, then answers each append in order. */
  private commit(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.pendingWaiting.clear();
    try {
      this.db.exec('BEGIN');
      const mailboxes = new Map<string, StoredDirect>();
      for (const pending of batch) {
        if ('message' in pending) {
          const m = pending.message;
          this.insert.run(
            m.roomKey,
            m.seq,
            m.id,
            m.room,
            m.from,
            m.text,
            m.ts,
            m.action ? 1 : 0,
            m.reply?.id ?? null,
            m.reply?.from ?? null,
            m.reply?.text ?? null,
            m.owner ?? null,
          );
          this.search.add(m.roomKey, m.seq, { ts: m.ts, sender: m.from, text: m.text });
        } else {
          const d = pending.direct;
          this.insertDirect.run(
            d.owner,
            d.dseq,
            d.id,
            d.from,
            d.to,
            d.text,
            d.ts,
            d.action ? 1 : 0,
            d.reply?.id ?? null,
            d.reply?.from ?? null,
            d.reply?.text ?? null,
            d.fromIdentity ?? null,
            d.toIdentity ?? null,
            d.edited ?? null,
            d.deletedBy ?? null,
          );
          // A copy of a deleted message (a guest's mailbox moving to an account) is not found.
          if (d.deletedBy === undefined)
            this.search.add(d.owner, d.dseq, {
              ts: d.ts,
              sender: d.from,
              recipient: d.to,
              text: d.text,
            });
          if (pending.waiting)
            this.addWaiting.run(d.owner, pending.waiting.sender, pending.waiting.bytes);
          mailboxes.set(d.owner, d);
        }
      }
      // Each mailbox written to: its last number and age, and only its newest kept.
      for (const [owner, newest] of mailboxes) {
        this.saveMailbox.run(owner, newest.dseq, newest.ts);
        if (newest.dseq > this.limits.history) {
          this.trimMailbox.run(owner, newest.dseq - this.limits.history);
          this.changes.forget(owner, newest.dseq - this.limits.history);
          this.search.forget(owner, newest.dseq - this.limits.history);
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      this.resyncSeqs(batch);
      const failure = new ServerError('store_write_failed', 'the history store could not write', {
        cause: error,
      });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    for (const pending of batch) {
      if ('message' in pending) pending.resolve(pending.message);
      else pending.resolve(pending.direct);
    }
    this.search.committed();
    this.checkpointer?.committed();
    // Nothing is pending now, so no number handed out can be forgotten.
    if (this.lastDseqs.size > MAX_REMEMBERED_MAILBOXES) this.lastDseqs.clear();
  }

  /** After a failed write, numbering continues from what is really stored, so no gap appears. */
  private resyncSeqs(batch: Pending[]): void {
    const max = this.db.prepare('SELECT MAX(seq) AS seq FROM messages WHERE room_key = ?');
    for (const pending of batch) {
      if ('direct' in pending) {
        this.lastDseqs.delete(pending.direct.owner);
        continue;
      }
      const roomKey = pending.message.roomKey;
      const row = max.get(roomKey) as { seq: number | null } | undefined;
      this.lastSeqs.set(roomKey, row?.seq ?? 0);
    }
  }
}
