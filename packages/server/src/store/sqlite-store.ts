import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  DirectDraft,
  HistoryStore,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { ServerError } from '../errors.js';
import { SqliteAccounts } from './sqlite-accounts.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Folder of the database file (`confab.db`); made if missing. */
  dataDir: string;
}

/** An append waiting for the next transaction: a room message or a direct message. */
type Pending =
  | {
      message: StoredMessage;
      resolve: (message: StoredMessage) => void;
      reject: (error: unknown) => void;
    }
  | {
      direct: StoredDirect;
      resolve: (message: StoredDirect) => void;
      reject: (error: unknown) => void;
    };

/** Mailboxes whose last `dseq` is remembered between appends; past it the memory is cleared (and read again as needed). */
const MAX_REMEMBERED_MAILBOXES = 100_000;

interface Row {
  room_key: string;
  seq: number;
  id: string;
  room: string;
  sender: string;
  text: string;
  ts: number;
  action: number;
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
    PRIMARY KEY (owner, dseq)
  ) WITHOUT ROWID;
`;

interface DirectRow {
  owner: string;
  dseq: number;
  id: string;
  sender: string;
  recipient: string;
  text: string;
  ts: number;
  action: number;
}

function toDirect(row: DirectRow): StoredDirect {
  return {
    owner: row.owner,
    dseq: row.dseq,
    id: row.id,
    from: row.sender,
    to: row.recipient,
    text: row.text,
    ts: row.ts,
    action: row.action === 1,
  };
}

function toMessage(row: Row): StoredMessage {
  return {
    roomKey: row.room_key,
    seq: row.seq,
    id: row.id,
    room: row.room,
    from: row.sender,
    text: row.text,
    ts: row.ts,
    action: row.action === 1,
  };
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
  private readonly insertDirect: StatementSync;
  private readonly selectDirectAfter: StatementSync;
  private readonly selectDirectBefore: StatementSync;
  private readonly lastDirect: StatementSync;
  private readonly lastSeqs = new Map<string, number>();
  /** Last `dseq` of the mailboxes written lately (read from the table the first time). */
  private readonly lastDseqs = new Map<string, number>();
  /** Accounts and sessions, in the same file. */
  readonly accounts: SqliteAccounts;
  private batch: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;

  private constructor(db: DatabaseSync) {
    this.db = db;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    // A checkpoint (two fsyncs) runs inside a commit, on the event loop: with
    // SQLite's default of one per 1,000 WAL pages a busy room paid it about
    // once a second, and it was the longest pause a message saw. One per
    // 10,000 pages (a WAL of up to 40 MB) pays it a tenth as often, and copies
    // hardly more (the same few pages are rewritten between checkpoints).
    db.exec('PRAGMA wal_autocheckpoint = 10000;');
    db.exec(SCHEMA);
    this.accounts = new SqliteAccounts(db);
    this.accounts.pruneExpired(Date.now());
    this.insert = db.prepare(
      'INSERT INTO messages (room_key, seq, id, room, sender, text, ts, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectAfter = db.prepare(
      'SELECT * FROM messages WHERE room_key = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.selectBefore = db.prepare(
      'SELECT * FROM (SELECT * FROM messages WHERE room_key = ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    );
    this.insertDirect = db.prepare(
      'INSERT INTO direct_messages (owner, dseq, id, sender, recipient, text, ts, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectDirectAfter = db.prepare(
      'SELECT * FROM direct_messages WHERE owner = ? AND dseq > ? ORDER BY dseq LIMIT ?',
    );
    this.selectDirectBefore = db.prepare(
      'SELECT * FROM (SELECT * FROM direct_messages WHERE owner = ? AND dseq < ? ORDER BY dseq DESC LIMIT ?) ORDER BY dseq',
    );
    this.lastDirect = db.prepare('SELECT MAX(dseq) AS dseq FROM direct_messages WHERE owner = ?');
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
      return new SqliteStore(new DatabaseSync(join(options.dataDir, 'confab.db')));
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

  appendDirect(owner: string, draft: DirectDraft): Promise<StoredDirect> {
    if (this.closed)
      return Promise.reject(new ServerError('store_closed', 'the history store is closed'));
    const dseq = this.lastDseqOf(owner) + 1;
    this.lastDseqs.set(owner, dseq);
    const direct: StoredDirect = { ...draft, owner, dseq };
    return new Promise((resolve, reject) => {
      this.batch.push({ direct, resolve, reject });
      this.scheduled ??= setImmediate(() => this.commit());
    });
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
      last = (this.lastDirect.get(owner) as { dseq: number | null } | undefined)?.dseq ?? 0;
      this.lastDseqs.set(owner, last);
    }
    return last;
  }

  async flush(): Promise<void> {
    this.commit();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.db.close();
  }

  /** Writes the batch in one transaction, then answers each append in order. */
  private commit(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    try {
      this.db.exec('BEGIN');
      for (const pending of batch) {
        if ('message' in pending) {
          const m = pending.message;
          this.insert.run(m.roomKey, m.seq, m.id, m.room, m.from, m.text, m.ts, m.action ? 1 : 0);
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
          );
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
