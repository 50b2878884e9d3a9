import type { ModlogRecord, RoomStore, ServerRecord } from '../core/ports.js';
import { MODLOG_KEEP } from '../core/ports.js';
import type { RoomRecord } from '../core/room-policy.js';

/**
 * Rooms' records, the server's bans and the moderation log of one process,
 * in memory: gone at a restart, as the memory store's history is. Records
 * are copied in and out, so no caller holds the stored one.
 */
export class MemoryRooms implements RoomStore {
  private readonly records = new Map<string, string>();
  private serverRecord = JSON.stringify({ version: 0, bans: [] } satisfies ServerRecord);
  private readonly logs = new Map<string, ModlogRecord[]>();
  private lastLogId = 0;

  async room(key: string): Promise<RoomRecord | undefined> {
    const json = this.records.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as RoomRecord);
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
    // Read and written in one step: no other write can come between.
    const stored = this.records.get(next.key);
    if ((stored === undefined ? 0 : (JSON.parse(stored) as RoomRecord).version) !== expected)
      return false;
    this.records.set(next.key, JSON.stringify(next));
    return true;
  }

  async ownedCount(identity: string): Promise<number> {
    let count = 0;
    for (const json of this.records.values())
      if ((JSON.parse(json) as RoomRecord).owner?.identity === identity) count++;
    return count;
  }

  async ownedRooms(limit: number): Promise<string[]> {
    const keys: string[] = [];
    for (const [key, json] of this.records) {
      if (keys.length >= limit) break;
      if ((JSON.parse(json) as RoomRecord).owner) keys.push(key);
    }
    return keys;
  }

  async server(): Promise<ServerRecord> {
    return JSON.parse(this.serverRecord) as ServerRecord;
  }

  async putServer(next: ServerRecord, expected: number): Promise<boolean> {
    if ((JSON.parse(this.serverRecord) as ServerRecord).version !== expected) return false;
    this.serverRecord = JSON.stringify(next);
    return true;
  }

  async log(entry: Omit<ModlogRecord, 'id'>): Promise<ModlogRecord> {
    const record = { ...entry, id: ++this.lastLogId };
    let log = this.logs.get(entry.scope);
    if (!log) this.logs.set(entry.scope, (log = []));
    log.push(record);
    if (log.length > MODLOG_KEEP) log.splice(0, log.length - MODLOG_KEEP);
    return { ...record };
  }

  async readLog(scope: string, before: number | undefined, limit: number): Promise<ModlogRecord[]> {
    const log = this.logs.get(scope) ?? [];
    const older = before === undefined ? log : log.filter((entry) => entry.id < before);
    return older.slice(-limit).map((entry) => ({ ...entry }));
  }
}
