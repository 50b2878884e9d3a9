import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName } from '@confab/protocol';
import type { FoundMessage, SearchIndex, SearchPage, SearchQuery } from '../core/ports.js';

/*
 * The full-text index of a SQLite history: FTS5 with the trigram
 * tokenizer, which finds any run of three or more characters (so words
 * inside longer ones, and CJK text, which has no spaces), folding case and
 * accents. Each row is a message of a room or of a mailbox (`place`: the
 * room's key, or the mailbox's owner; the forms never meet) with what a hit
 * shows. `secure-delete` makes a delete take the message's trigrams out of
 * the index itself, not only mark them gone, so a deleted text leaves no
 * trace to be pieced back together.
 */
const SCHEMA = `
  CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
    text,
    place UNINDEXED, number UNINDEXED, id UNINDEXED, ts UNINDEXED,
    sender UNINDEXED, sender_key UNINDEXED,
    recipient UNINDEXED, recipient_key UNINDEXED, room UNINDEXED,
    tokenize = 'trigram remove_diacritics 1'
  );
  -- Where each message is in the index, for its edit and delete.
  CREATE TABLE IF NOT EXISTS search_rows (
    place  TEXT NOT NULL,
    number INTEGER NOT NULL,
    row    INTEGER NOT NULL,
    PRIMARY KEY (place, number)
  ) WITHOUT ROWID;
`;

/** What the index keeps of a message besides its text and place. */
export interface Indexed {
  id: string;
  ts: number;
  sender: string;
  /** A direct message's recipient. */
  recipient?: string;
  /** A room message's room, as spelled. */
  room?: string;
  text: string;
}

/** A row a search step looks at: enough to filter it, not its text. */
interface Candidate {
  rowid: number;
  place: string;
  ts: number;
  sender_key: string;
  recipient_key: string | null;
}

/** A row a search found, whole. */
interface HitRow {
  rowid: number;
  place: string;
  number: number;
  id: string;
  ts: number;
  sender: string;
  recipient: string | null;
  room: string | null;
  text: string;
}

/** A term as FTS5 reads it: a string, quotes doubled (trigrams match it anywhere). */
function quoted(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
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
  private readonly hit: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    db.exec("INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1)");
    this.insert = db.prepare(
      `INSERT INTO search_index (text, place, number, id, ts, sender, sender_key, recipient,
         recipient_key, room) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRow = db.prepare(
      'INSERT OR REPLACE INTO search_rows (place, number, row) VALUES (?, ?, ?)',
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
      `SELECT rowid, place, ts, sender_key, recipient_key FROM search_index
       WHERE search_index MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?`,
    );
    this.hit = db.prepare(
      `SELECT rowid, place, number, id, ts, sender, recipient, room, text
       FROM search_index WHERE rowid = ?`,
    );
  }

  /** Indexes message `number` of a room or mailbox (`place`). */
  add(place: string, number: number, message: Indexed): void {
    const { lastInsertRowid } = this.insert.run(
      message.text,
      place,
      number,
      message.id,
      message.ts,
      message.sender,
      foldName(message.sender),
      message.recipient ?? null,
      message.recipient === undefined ? null : foldName(message.recipient),
      message.room ?? null,
    );
    this.insertRow.run(place, number, lastInsertRowid);
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
      found.push(toFound(this.hit.get(row.rowid) as unknown as HitRow));
      if (found.length === query.limit) return Promise.resolve({ found, next: row.rowid });
    }
    // A full step may have left older matches unread: the next goes on from its last.
    const last = rows.at(-1);
    return Promise.resolve(
      rows.length === query.budget && last ? { found, next: last.rowid } : { found },
    );
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

function toFound(row: HitRow): FoundMessage {
  const found: FoundMessage = {
    position: row.rowid,
    id: row.id,
    from: row.sender,
    ts: row.ts,
    text: row.text,
  };
  if (row.room !== null) found.room = { key: row.place, name: row.room, seq: row.number };
  else found.direct = { to: row.recipient ?? '', dseq: row.number };
  return found;
}
