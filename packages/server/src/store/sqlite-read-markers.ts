import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ReadMarkerStore } from '../core/ports.js';
import { MAX_READ_MARKERS } from '../core/ports.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_markers (
    owner  TEXT NOT NULL,
    place  TEXT NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (owner, place)
  ) WITHOUT ROWID;
`;

/** Read markers in the history's SQLite file: one row per identity and place, moved only forward. */
export class SqliteReadMarkers implements ReadMarkerStore {
  private readonly all: StatementSync;
  private readonly one: StatementSync;
  private readonly count: StatementSync;
  private readonly save: StatementSync;
  private readonly drop: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    this.all = db.prepare('SELECT place, number FROM read_markers WHERE owner = ?');
    this.one = db.prepare('SELECT number FROM read_markers WHERE owner = ? AND place = ?');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM read_markers WHERE owner = ?');
    this.save = db.prepare(
      `INSERT INTO read_markers (owner, place, number) VALUES (?, ?, ?)
       ON CONFLICT (owner, place) DO UPDATE SET number = excluded.number`,
    );
    this.drop = db.prepare('DELETE FROM read_markers WHERE owner = ?');
  }

  /** An identity is forgotten (a guest's mailbox expired): its markers go with it. */
  forget(owner: string): void {
    this.drop.run(owner);
  }

  markers(owner: string): Promise<Map<string, number>> {
    const rows = this.all.all(owner) as Array<{ place: string; number: number }>;
    return Promise.resolve(new Map(rows.map((row) => [row.place, row.number])));
  }

  advance(owner: string, place: string, number: number): Promise<boolean> {
    // One process writes the file, and these run in one turn: nothing comes between.
    const now = this.one.get(owner, place) as { number: number } | undefined;
    if (now !== undefined && now.number >= number) return Promise.resolve(false);
    if (now === undefined && (this.count.get(owner) as { n: number }).n >= MAX_READ_MARKERS)
      return Promise.resolve(false);
    this.save.run(owner, place, number);
    return Promise.resolve(true);
  }
}
