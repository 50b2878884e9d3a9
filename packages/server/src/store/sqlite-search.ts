import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName } from '@confab/protocol';
import type { FoundMessage, SearchIndex, SearchPage, SearchQuery } from '../core/ports.js';
import type { Candidate, Indexed } from './search-table.js';
import { SearchTable, isRoom } from './search-table.js';

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
 * transaction that stores it, an edit and a delete in theirs); a hit's
 * text is read from its message's row.
 */
export class SqliteSearch implements SearchIndex {
  private readonly table: SearchTable;
  private readonly roomMessage: StatementSync;
  private readonly directMessage: StatementSync;

  constructor(db: DatabaseSync) {
    this.table = new SearchTable(db);
    if (this.table.fresh) indexKept(db);
    this.roomMessage = db.prepare(
      'SELECT id, sender, text, ts, room FROM messages WHERE room_key = ? AND seq = ?',
    );
    this.directMessage = db.prepare(
      'SELECT id, sender, text, ts, recipient FROM direct_messages WHERE owner = ? AND dseq = ?',
    );
  }

  /** Indexes message `number` of a room or mailbox (`place`). */
  add(place: string, number: number, message: Indexed): void {
    this.table.add(place, number, message);
  }

  /** The message has this text now. */
  edit(place: string, number: number, text: string): void {
    this.table.edit(place, number, text);
  }

  /** The message was deleted: it is found no more, and its text is out of the index. */
  erase(place: string, number: number): void {
    this.table.erase(place, number);
  }

  /** A mailbox no longer keeps its messages up to `number` (all of them, without one). */
  forget(place: string, number?: number): void {
    this.table.forget(place, number);
  }

  search(query: SearchQuery): Promise<SearchPage> {
    return this.table.search(query, (rows) => Promise.resolve(this.read(rows)));
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
