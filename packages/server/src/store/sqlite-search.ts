import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName, hasTerms } from '@confab/protocol';
import type { FoundMessage, SearchIndex, SearchPage, SearchQuery } from '../core/ports.js';
import type { Candidate, Indexed } from './search-table.js';
import { SearchTable, isRoom } from './search-table.js';

/*
 * What a message's transaction adds to the index is one row of
 * `search_pending`: its text and what a search filters on. The full-text
 * index takes the pending rows later, a few hundred at a time, in a
 * transaction of its own. FTS5 writes a new segment, and rewrites its
 * structure, at every commit: taken one small commit at a time, that
 * tripled what each message wrote to the log and made checkpoints three
 * times as frequent, which showed as pauses in the chat. Taken in
 * hundreds, the index costs a fraction of that.
 *
 * The pending rows are part of the index all the same: written, edited
 * and deleted in the history's transactions, and looked through by every
 * search (they are the newest, and few).
 */
const PENDING_SCHEMA = `
  CREATE TABLE IF NOT EXISTS search_pending (
    row           INTEGER PRIMARY KEY,
    place         TEXT NOT NULL,
    number        INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    sender_key    TEXT NOT NULL,
    recipient_key TEXT,
    text          TEXT NOT NULL
  );
`;

/** Pending rows the index takes in one transaction, and how many make it take them at once. */
const MOVE_AT_ONCE = 256;

/** Pending rows fewer than that wait at most this long. */
const MOVE_AFTER_MS = 500;

/** A pending row, as a search reads it. */
interface PendingRow extends Candidate {
  text: string;
}

/** What a hit shows of a room message, or of a direct message, read from its own row. */
interface MessageRow {
  id: string;
  sender: string;
  text: string;
  ts: number;
  room?: string;
  recipient?: string;
}

/**
 * Indexes what a history kept before it had an index (a file of an older
 * server), once, as it opens: every message not deleted, in the order they
 * were sent, so the index's order (newest last) holds for them too, and
 * what is said from now on comes after them.
 */
function indexKept(db: DatabaseSync): void {
  // Names fold as the server folds them: in JavaScript.
  db.function('confab_fold_name', { deterministic: true }, (name) =>
    typeof name === 'string' ? foldName(name) : null,
  );
  db.exec('BEGIN');
  try {
    db.exec(`
      CREATE TEMP TABLE kept AS
        SELECT ROW_NUMBER() OVER (ORDER BY ts, place, number) AS row, * FROM (
          SELECT room_key AS place, seq AS number, ts, sender, NULL AS recipient, text
            FROM messages WHERE deleted_by IS NULL
          UNION ALL
          SELECT owner, dseq, ts, sender, recipient, text
            FROM direct_messages WHERE deleted_by IS NULL
        );
      INSERT INTO search_index (rowid, text) SELECT row, text FROM kept;
      INSERT INTO search_rows (row, place, number, ts, sender_key, recipient_key)
        SELECT row, place, number, ts, confab_fold_name(sender), confab_fold_name(recipient)
        FROM kept;
      DROP TABLE temp.kept;
    `);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * The index of a SQLite history, beside its tables (see `SearchTable`),
 * written in the history's own transactions (a message is indexed in the
 * transaction that stores it, as a pending row; an edit and a delete in
 * theirs); a hit's text is read from its message's row.
 */
export class SqliteSearch implements SearchIndex {
  private readonly table: SearchTable;
  private readonly roomMessage: StatementSync;
  private readonly directMessage: StatementSync;
  private readonly addPending: StatementSync;
  private readonly editPending: StatementSync;
  private readonly erasePending: StatementSync;
  private readonly forgetPending: StatementSync;
  private readonly pendingMatches: StatementSync;
  private readonly oldestPending: StatementSync;
  private readonly movePendingText: StatementSync;
  private readonly movePendingRows: StatementSync;
  private readonly dropMoved: StatementSync;
  /** The next message's row: after every row of the index and the pending ones. */
  private nextRow: number;
  private pending: number;
  private moveTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `moveAtOnce`: pending rows that make the index take them as soon as they are committed. */
  constructor(
    private readonly db: DatabaseSync,
    private readonly moveAtOnce = MOVE_AT_ONCE,
  ) {
    this.table = new SearchTable(db);
    if (this.table.fresh) indexKept(db);
    db.exec(PENDING_SCHEMA);
    const pending = db
      .prepare('SELECT COUNT(*) AS count, MAX(row) AS last FROM search_pending')
      .get() as { count: number; last: number | null };
    this.pending = Number(pending.count);
    this.nextRow = Math.max(this.table.lastRow(), Number(pending.last ?? 0)) + 1;
    this.addPending = db.prepare(
      `INSERT INTO search_pending (row, place, number, ts, sender_key, recipient_key, text)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // The pending rows are few: looked through whole, with no index to write per message.
    this.editPending = db.prepare(
      'UPDATE search_pending SET text = ? WHERE place = ? AND number = ?',
    );
    this.erasePending = db.prepare('DELETE FROM search_pending WHERE place = ? AND number = ?');
    this.forgetPending = db.prepare('DELETE FROM search_pending WHERE place = ? AND number <= ?');
    this.pendingMatches = db.prepare(
      `SELECT row, place, number, ts, sender_key, recipient_key, text FROM search_pending
       WHERE row < ? ORDER BY row DESC`,
    );
    this.oldestPending = db.prepare(
      `SELECT COALESCE(
         (SELECT row FROM search_pending ORDER BY row LIMIT 1 OFFSET ${MOVE_AT_ONCE - 1}),
         (SELECT MAX(row) FROM search_pending)) AS row,
       (SELECT COUNT(*) FROM search_pending) AS count`,
    );
    this.movePendingText = db.prepare(
      'INSERT INTO search_index (rowid, text) SELECT row, text FROM search_pending WHERE row <= ?',
    );
    this.movePendingRows = db.prepare(
      `INSERT OR IGNORE INTO search_rows (row, place, number, ts, sender_key, recipient_key)
       SELECT row, place, number, ts, sender_key, recipient_key FROM search_pending WHERE row <= ?`,
    );
    this.dropMoved = db.prepare('DELETE FROM search_pending WHERE row <= ?');
    if (this.pending > 0) this.scheduleMove();
    this.roomMessage = db.prepare(
      'SELECT id, sender, text, ts, room FROM messages WHERE room_key = ? AND seq = ?',
    );
    this.directMessage = db.prepare(
      'SELECT id, sender, text, ts, recipient FROM direct_messages WHERE owner = ? AND dseq = ?',
    );
  }

  /** Indexes message `number` of a room or mailbox (`place`), in the caller's transaction. */
  add(place: string, number: number, message: Indexed): void {
    this.addPending.run(
      this.nextRow++,
      place,
      number,
      message.ts,
      foldName(message.sender),
      message.recipient === undefined ? null : foldName(message.recipient),
      message.text,
    );
    this.pending++;
  }

  /**
   * The history's transaction that added messages is committed: the index
   * takes them at the next turn when enough wait (after that commit's acks
   * have gone out), else in a while.
   */
  committed(): void {
    this.scheduleMove(this.pending >= this.moveAtOnce);
  }

  /** Has the index take now what is due to it at once (the history is flushed). */
  settle(): void {
    if (this.pending >= this.moveAtOnce) this.moveSome();
  }

  /** The message has this text now. */
  edit(place: string, number: number, text: string): void {
    if (this.editPending.run(text, place, number).changes === 0)
      this.table.edit(place, number, text);
  }

  /** The message was deleted: it is found no more, and its text is out of the index. */
  erase(place: string, number: number): void {
    this.pending -= Number(this.erasePending.run(place, number).changes);
    this.table.erase(place, number);
  }

  /** A mailbox no longer keeps its messages up to `number` (all of them, without one). */
  forget(place: string, number = Number.MAX_SAFE_INTEGER): void {
    this.pending -= Number(this.forgetPending.run(place, number).changes);
    this.table.forget(place, number);
  }

  search(query: SearchQuery): Promise<SearchPage> {
    const newer: Candidate[] = [];
    const rows = this.pendingMatches.all(
      query.before ?? Number.MAX_SAFE_INTEGER,
    ) as unknown as PendingRow[];
    for (const row of rows) if (hasTerms(row.text, query.terms)) newer.push(row);
    return this.table.search(query, (found) => Promise.resolve(this.read(found)), newer);
  }

  /** Has the index take every pending row (before the file closes). */
  close(): void {
    clearTimeout(this.moveTimer);
    this.moveTimer = undefined;
    while (this.pending > 0 && this.move()) {
      // Until none is left.
    }
    this.closed = true;
  }

  /** Has the index take the pending rows in a while (any left after a move: at the next turn). */
  private scheduleMove(soon = false): void {
    if (this.closed || this.pending === 0) return;
    if (soon) {
      clearTimeout(this.moveTimer);
      this.moveTimer = setTimeout(() => this.moveSome(), 0);
    } else this.moveTimer ??= setTimeout(() => this.moveSome(), MOVE_AFTER_MS);
  }

  /** Moves one batch now; more, if more wait, at the next turn of the event loop. */
  private moveSome(): void {
    clearTimeout(this.moveTimer);
    this.moveTimer = undefined;
    if (this.closed) return;
    if (!this.move()) this.scheduleMove();
    else this.scheduleMove(this.pending >= this.moveAtOnce);
  }

  /**
   * The index takes the oldest pending rows, at most `MOVE_AT_ONCE`, in a
   * transaction of its own; false when it could not now (one is open).
   */
  private move(): boolean {
    if (this.db.isTransaction) return false;
    const { row: last, count } = this.oldestPending.get() as { row: number | null; count: number };
    this.pending = Number(count);
    if (last === null) return true;
    this.db.exec('BEGIN');
    try {
      this.movePendingText.run(last);
      this.movePendingRows.run(last);
      this.pending -= Number(this.dropMoved.run(last).changes);
      this.db.exec('COMMIT');
    } catch {
      // Left pending, still found: the next move tries again.
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      return false;
    }
    return true;
  }

  /** Candidates as found: each message read from its own row. */
  private read(rows: Candidate[]): FoundMessage[] {
    const found: FoundMessage[] = [];
    for (const row of rows) {
      const room = isRoom(row.place);
      const message = (room ? this.roomMessage : this.directMessage).get(row.place, row.number) as
        MessageRow | undefined;
      if (!message) continue;
      const hit: FoundMessage = {
        position: row.row,
        id: message.id,
        from: message.sender,
        ts: message.ts,
        text: message.text,
      };
      if (room) hit.room = { key: row.place, name: message.room ?? row.place, seq: row.number };
      else hit.direct = { to: message.recipient ?? '', dseq: row.number };
      found.push(hit);
    }
    return found;
  }
}
