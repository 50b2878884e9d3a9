import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName } from '@confab/protocol';
import type { FoundMessage, SearchPage, SearchQuery } from '../core/ports.js';

/*
 * A full-text index of messages in a SQLite file: FTS5 with the trigram
 * tokenizer, which finds any run of three or more characters (so words
 * inside longer ones, and CJK text, which has no spaces), folding case and
 * accents. The index keeps no copy of the texts (`content=''`): a hit's
 * text is read from where the message is kept. Beside it, `search_rows`
 * says what each index row is (a message of a room or of a mailbox:
 * `place` is the room's key or the mailbox's owner, forms that never meet)
 * and what a search filters on. `secure-delete` makes a delete take the
 * message's trigrams out of the index itself, not only mark them gone, so
 * a deleted text leaves no trace to be pieced back together. `automerge`
 * 16 merges the index's segments less often: less written per message,
 * the same answers.
 */
const SCHEMA = `
  CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
    text, content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
  );
  CREATE TABLE IF NOT EXISTS search_rows (
    row           INTEGER PRIMARY KEY,
    place         TEXT NOT NULL,
    number        INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    sender_key    TEXT NOT NULL,
    -- A direct message's recipient, folded; NULL for a room message.
    recipient_key TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS search_rows_by_place ON search_rows (place, number);
`;

/** What the index keeps of a message besides its text and place. */
export interface Indexed {
  ts: number;
  sender: string;
  /** A direct message's recipient. */
  recipient?: string;
  text: string;
}

/** A row a search step looks at: enough to filter it, and to find its message. */
export interface Candidate {
  row: number;
  place: string;
  number: number;
  ts: number;
  sender_key: string;
  recipient_key: string | null;
}

/** Reads the messages of candidates, in their order; one no longer kept is left out. */
export type HitReader = (rows: Candidate[]) => Promise<FoundMessage[]>;

/** A term as FTS5 reads it: a string, quotes doubled (trigrams match it anywhere). */
function quoted(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** Whether a place is a room (its key starts with `#`) rather than a mailbox. */
export function isRoom(place: string): boolean {
  return place.startsWith('#');
}

/**
 * The index's tables in a SQLite file, and the statements that write and
 * read them. Writes join whatever transaction the caller has open.
 */
export class SearchTable {
  /** Whether the tables were made as this opened (the file had no index before). */
  readonly fresh: boolean;
  private readonly insert: StatementSync;
  private readonly insertAt: StatementSync;
  private readonly insertRow: StatementSync;
  private readonly rowTaken: StatementSync;
  private readonly kept: StatementSync;
  private readonly update: StatementSync;
  private readonly remove: StatementSync;
  private readonly removeRow: StatementSync;
  private readonly removeUpTo: StatementSync;
  private readonly removeRowsUpTo: StatementSync;
  private readonly candidates: StatementSync;
  private readonly newest: StatementSync;

  constructor(db: DatabaseSync) {
    this.fresh =
      db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'search_index'").get() === undefined;
    db.exec(SCHEMA);
    db.exec("INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1)");
    db.exec("INSERT INTO search_index (search_index, rank) VALUES ('automerge', 16)");
    this.insert = db.prepare('INSERT INTO search_index (text) VALUES (?)');
    this.insertAt = db.prepare('INSERT INTO search_index (rowid, text) VALUES (?, ?)');
    // OR IGNORE, not OR REPLACE: SQLite's REPLACE made each insert cost
    // three times as much, and a message already there is handled in `add`.
    this.insertRow = db.prepare(
      `INSERT OR IGNORE INTO search_rows (row, place, number, ts, sender_key, recipient_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.rowTaken = db.prepare('SELECT 1 FROM search_rows WHERE row = ?');
    this.kept = db.prepare('SELECT 1 FROM search_rows WHERE place = ? AND number = ?');
    const rowOf = '(SELECT row FROM search_rows WHERE place = ? AND number = ?)';
    this.update = db.prepare(`UPDATE search_index SET text = ? WHERE rowid = ${rowOf}`);
    this.remove = db.prepare(`DELETE FROM search_index WHERE rowid = ${rowOf}`);
    this.removeRow = db.prepare('DELETE FROM search_rows WHERE place = ? AND number = ?');
    this.removeUpTo = db.prepare(
      `DELETE FROM search_index WHERE rowid IN
         (SELECT row FROM search_rows WHERE place = ? AND number <= ?)`,
    );
    this.removeRowsUpTo = db.prepare('DELETE FROM search_rows WHERE place = ? AND number <= ?');
    this.newest = db.prepare('SELECT MAX(row) AS row FROM search_rows');
    // Newest first: FTS5 walks its matches in rowid order and stops at the limit.
    this.candidates = db.prepare(
      `SELECT r.row, r.place, r.number, r.ts, r.sender_key, r.recipient_key
       FROM (SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid < ?
             ORDER BY rowid DESC LIMIT ?) AS m
       JOIN search_rows AS r ON r.row = m.rowid
       ORDER BY r.row DESC`,
    );
  }

  /**
   * Indexes message `number` of a room or mailbox (`place`): in the order
   * indexed (each row after the last), or with `at`, at the first free row
   * from `at` on.
   */
  add(place: string, number: number, message: Indexed, at?: number): void {
    let row: number | bigint;
    if (at === undefined) row = this.insert.run(message.text).lastInsertRowid;
    else {
      row = at;
      while (this.rowTaken.get(row) !== undefined) row++;
      this.insertAt.run(row, message.text);
    }
    const recipient = message.recipient === undefined ? null : foldName(message.recipient);
    const sender = foldName(message.sender);
    if (this.insertRow.run(row, place, number, message.ts, sender, recipient).changes === 0) {
      // The place had a message of that number indexed (never so far): this one takes its place.
      this.erase(place, number);
      this.insertRow.run(row, place, number, message.ts, sender, recipient);
    }
  }

  /** Whether message `number` of `place` is in the index. */
  has(place: string, number: number): boolean {
    return this.kept.get(place, number) !== undefined;
  }

  /** The message has this text now. */
  edit(place: string, number: number, text: string): void {
    this.update.run(text, place, number);
  }

  /** The message was deleted: it is found no more, and its text is out of the index. */
  erase(place: string, number: number): void {
    this.remove.run(place, number);
    this.removeRow.run(place, number);
  }

  /** A place no longer keeps its messages up to `number` (all of them, without one). */
  forget(place: string, number = Number.MAX_SAFE_INTEGER): void {
    this.removeUpTo.run(place, number);
    this.removeRowsUpTo.run(place, number);
  }

  /** The highest row in the index (0 when empty). */
  lastRow(): number {
    return Number((this.newest.get() as { row: number | bigint | null } | undefined)?.row ?? 0);
  }

  /**
   * One step of a search: the index's matches newest first, at most
   * `budget` of them, those of the places asked for that pass the filters
   * read by `read` until `limit` are found. `newer`: matches found
   * elsewhere, newest first, every one newer than the index's (they come
   * first, and count against the budget).
   */
  async search(query: SearchQuery, read: HitReader, newer: Candidate[] = []): Promise<SearchPage> {
    const places = new Set(query.rooms);
    if (query.mailbox !== undefined) places.add(query.mailbox);
    if (places.size === 0 || query.terms.length === 0) return { found: [] };
    const match = query.terms.map(quoted).join(' AND ');
    const rows = newer.slice(0, query.budget);
    if (rows.length < query.budget)
      rows.push(
        ...(this.candidates.all(
          match,
          query.before ?? Number.MAX_SAFE_INTEGER,
          query.budget - rows.length,
        ) as unknown as Candidate[]),
      );
    const picked: Candidate[] = [];
    for (const row of rows) {
      if (!places.has(row.place) || !wanted(row, query)) continue;
      picked.push(row);
      if (picked.length === query.limit) break;
    }
    const found = await read(picked);
    if (picked.length === query.limit) return { found, next: picked.at(-1)!.row };
    // A full step may have left older matches unread: the next goes on from its last.
    const last = rows.at(-1);
    return rows.length === query.budget && last ? { found, next: last.row } : { found };
  }
}

/** Whether a candidate passes the query's filters (its place is checked before). */
function wanted(row: Candidate, query: SearchQuery): boolean {
  if (query.from !== undefined && row.sender_key !== query.from) return false;
  if (query.since !== undefined && row.ts < query.since) return false;
  if (query.until !== undefined && row.ts >= query.until) return false;
  if (query.peer !== undefined) {
    // Only direct messages, with that person at either end.
    if (row.recipient_key === null) return false;
    if (row.sender_key !== query.peer && row.recipient_key !== query.peer) return false;
  }
  return true;
}
