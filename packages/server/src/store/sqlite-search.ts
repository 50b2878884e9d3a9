import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName } from '@confab/protocol';
import type { FoundMessage, SearchIndex, SearchPage, SearchQuery } from '../core/ports.js';

/*
 * The full-text index of a SQLite history: FTS5 with the trigram
 * tokenizer, which finds any run of three or more characters (so words
 * inside longer ones, and CJK text, which has no spaces), folding case and
 * accents. The index keeps no copy of the texts (`content=''`): the
 * messages' own rows have them, and a hit reads its text there. Beside it,
 * `search_rows` says what each index row is (a message of a room or of a
 * mailbox: `place` is the room's key or the mailbox's owner, forms that
 * never meet) and what a search filters on. `secure-delete` makes a delete
 * take the message's trigrams out of the index itself, not only mark them
 * gone, so a deleted text leaves no trace to be pieced back together.
 * `automerge` 16 merges the index's segments less often: less written per
 * message, the same answers.
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

/** A row a search step looks at: enough to filter it. */
interface Candidate {
  row: number;
  place: string;
  number: number;
  ts: number;
  sender_key: string;
  recipient_key: string | null;
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

/** A term as FTS5 reads it: a string, quotes doubled (trigrams match it anywhere). */
function quoted(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** Whether a place is a room (its key starts with `#`) rather than a mailbox. */
function isRoom(place: string): boolean {
  return place.startsWith('#');
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
 * The index beside the history's tables, written in the history's own
 * transactions (a message is indexed in the transaction that stores it,
 * an edit and a delete in theirs).
 */
export class SqliteSearch implements SearchIndex {
  private readonly insert: StatementSync;
  private readonly insertRow: StatementSync;
  private readonly update: StatementSync;
  private readonly remove: StatementSync;
  private readonly removeRow: StatementSync;
  private readonly removeUpTo: StatementSync;
  private readonly removeRowsUpTo: StatementSync;
  private readonly candidates: StatementSync;
  private readonly roomMessage: StatementSync;
  private readonly directMessage: StatementSync;

  constructor(db: DatabaseSync) {
    const fresh =
      db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'search_index'").get() === undefined;
    db.exec(SCHEMA);
    db.exec("INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1)");
    db.exec("INSERT INTO search_index (search_index, rank) VALUES ('automerge', 16)");
    if (fresh) indexKept(db);
    this.insert = db.prepare('INSERT INTO search_index (text) VALUES (?)');
    this.insertRow = db.prepare(
      `INSERT OR REPLACE INTO search_rows (row, place, number, ts, sender_key, recipient_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const rowOf = '(SELECT row FROM search_rows WHERE place = ? AND number = ?)';
    this.update = db.prepare(`UPDATE search_index SET text = ? WHERE rowid = ${rowOf}`);
    this.remove = db.prepare(`DELETE FROM search_index WHERE rowid = ${rowOf}`);
    this.removeRow = db.prepare('DELETE FROM search_rows WHERE place = ? AND number = ?');
    this.removeUpTo = db.prepare(
      `DELETE FROM search_index WHERE rowid IN
         (SELECT row FROM search_rows WHERE place = ? AND number <= ?)`,
    );
    this.removeRowsUpTo = db.prepare('DELETE FROM search_rows WHERE place = ? AND number <= ?');
    // Newest first: FTS5 walks its matches in rowid order and stops at the limit.
    this.candidates = db.prepare(
      `SELECT r.row, r.place, r.number, r.ts, r.sender_key, r.recipient_key
       FROM (SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid < ?
             ORDER BY rowid DESC LIMIT ?) AS m
       JOIN search_rows AS r ON r.row = m.rowid
       ORDER BY r.row DESC`,
    );
    this.roomMessage = db.prepare(
      'SELECT id, sender, text, ts, room FROM messages WHERE room_key = ? AND seq = ?',
    );
    this.directMessage = db.prepare(
      'SELECT id, sender, text, ts, recipient FROM direct_messages WHERE owner = ? AND dseq = ?',
    );
  }

  /** Indexes message `number` of a room or mailbox (`place`). */
  add(place: string, number: number, message: Indexed): void {
    const { lastInsertRowid } = this.insert.run(message.text);
    this.insertRow.run(
      lastInsertRowid,
      place,
      number,
      message.ts,
      foldName(message.sender),
      message.recipient === undefined ? null : foldName(message.recipient),
    );
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

  /** A mailbox no longer keeps its messages up to `number` (all of them, without one). */
  forget(place: string, number = Number.MAX_SAFE_INTEGER): void {
    this.removeUpTo.run(place, number);
    this.removeRowsUpTo.run(place, number);
  }

  search(query: SearchQuery): Promise<SearchPage> {
    const places = new Set(query.rooms);
    if (query.mailbox !== undefined) places.add(query.mailbox);
    if (places.size === 0 || query.terms.length === 0) return Promise.resolve({ found: [] });
    const match = query.terms.map(quoted).join(' AND ');
    const rows = this.candidates.all(
      match,
      query.before ?? Number.MAX_SAFE_INTEGER,
      query.budget,
    ) as unknown as Candidate[];
    const found: FoundMessage[] = [];
    for (const row of rows) {
      if (!places.has(row.place) || !wanted(row, query)) continue;
      const hit = this.found(row);
      if (hit) found.push(hit);
      if (found.length === query.limit) return Promise.resolve({ found, next: row.row });
    }
    // A full step may have left older matches unread: the next goes on from its last.
    const last = rows.at(-1);
    return Promise.resolve(
      rows.length === query.budget && last ? { found, next: last.row } : { found },
    );
  }

  /** A candidate as found: its message read from its own row. */
  private found(row: Candidate): FoundMessage | undefined {
    const room = isRoom(row.place);
    const message = (room ? this.roomMessage : this.directMessage).get(row.place, row.number) as
      MessageRow | undefined;
    if (!message) return undefined;
    const found: FoundMessage = {
      position: row.row,
      id: message.id,
      from: message.sender,
      ts: message.ts,
      text: message.text,
    };
    if (room) found.room = { key: row.place, name: message.room ?? row.place, seq: row.number };
    else found.direct = { to: message.recipient ?? '', dseq: row.number };
    return found;
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
