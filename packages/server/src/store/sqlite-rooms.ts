import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ModlogRecord, RoomStore, ServerRecord } from '../core/ports.js';
import { MODLOG_KEEP } from '../core/ports.js';
import type { RoomRecord } from '../core/room-policy.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rooms (
    key     TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    owner   TEXT,
    record  TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS rooms_by_owner ON rooms (owner) WHERE owner IS NOT NULL;
  CREATE TABLE IF NOT EXISTS server_record (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    record  TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS modlog (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    scope  TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS modlog_by_scope ON modlog (scope, id);
`;

/**
 * Rooms' records, the server's bans and the moderation log, in the
 * history's SQLite file. A record is one JSON row with its version: a write
 * names the version it read (`UPDATE … WHERE version = ?`), so a change made
 * meanwhile is never overwritten.
 */
export class SqliteRooms implements RoomStore {
  private readonly select: StatementSync;
  private readonly insert: StatementSync;
  private readonly update: StatementSync;
  private readonly countOwned: StatementSync;
  private readonly selectOwned: StatementSync;
  private readonly selectServer: StatementSync;
  private readonly insertServer: StatementSync;
  private readonly updateServer: StatementSync;
  private readonly insertLog: StatementSync;
  private readonly trimLog: StatementSync;
  private readonly selectLog: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    this.select = db.prepare('SELECT record FROM rooms WHERE key = ?');
    this.insert = db.prepare(
      'INSERT INTO rooms (key, version, owner, record) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.update = db.prepare(
      'UPDATE rooms SET version = ?, owner = ?, record = ? WHERE key = ? AND version = ?',
    );
    this.countOwned = db.prepare('SELECT COUNT(*) AS n FROM rooms WHERE owner = ?');
    this.selectOwned = db.prepare('SELECT key FROM rooms WHERE owner IS NOT NULL LIMIT ?');
    this.selectServer = db.prepare('SELECT record FROM server_record WHERE id = 1');
    this.insertServer = db.prepare(
      'INSERT INTO server_record (id, version, record) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.updateServer = db.prepare(
      'UPDATE server_record SET version = ?, record = ? WHERE id = 1 AND version = ?',
    );
    this.insertLog = db.prepare('INSERT INTO modlog (scope, record) VALUES (?, ?) RETURNING id');
    this.trimLog = db.prepare(
      `DELETE FROM modlog WHERE scope = ? AND id <=
         (SELECT id FROM modlog WHERE scope = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.selectLog = db.prepare(
      'SELECT id, record FROM modlog WHERE scope = ? AND id < ? ORDER BY id DESC LIMIT ?',
    );
  }

  async room(key: string): Promise<RoomRecord | undefined> {
    const row = this.select.get(key) as { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as RoomRecord);
  }

  async rooms(keys: readonly string[]): Promise<RoomRecord[]> {
    const found: RoomRecord[] = [];
    for (const key of keys) {
      const record = await this.room(key);
      if (record) found.push(record);
    }
    return found;
  }

  async putRoom(next: RoomRecord, expected: number): Promise<boolean> {
    const owner = next.owner?.identity ?? null;
    const json = JSON.stringify(next);
    const result =
      expected === 0
        ? this.insert.run(next.key, next.version, owner, json)
        : this.update.run(next.version, owner, json, next.key, expected);
    return Number(result.changes) === 1;
  }

  async ownedCount(identity: string): Promise<number> {
    return Number((this.countOwned.get(identity) as { n: number }).n);
  }

  async ownedRooms(limit: number): Promise<string[]> {
    return (this.selectOwned.all(limit) as Array<{ key: string }>).map((row) => row.key);
  }

  async server(): Promise<ServerRecord> {
    const row = this.selectServer.get() as { record: string } | undefined;
    return row === undefined ? { version: 0, bans: [] } : (JSON.parse(row.record) as ServerRecord);
  }

  async putServer(next: ServerRecord, expected: number): Promise<boolean> {
    const json = JSON.stringify(next);
    const result =
      expected === 0
        ? this.insertServer.run(next.version, json)
        : this.updateServer.run(next.version, json, expected);
    return Number(result.changes) === 1;
  }

  async log(entry: Omit<ModlogRecord, 'id'>): Promise<ModlogRecord> {
    const { id } = this.insertLog.get(entry.scope, JSON.stringify(entry)) as { id: number };
    this.trimLog.run(entry.scope, entry.scope, MODLOG_KEEP);
    return { ...entry, id: Number(id) };
  }

  async readLog(scope: string, before: number | undefined, limit: number): Promise<ModlogRecord[]> {
    const rows = this.selectLog.all(scope, before ?? Number.MAX_SAFE_INTEGER, limit) as Array<{
      id: number;
      record: string;
    }>;
    return rows.reverse().map((row) => ({
      ...(JSON.parse(row.record) as Omit<ModlogRecord, 'id'>),
      id: Number(row.id),
    }));
  }
}
