import type { FrameError } from '@confab/protocol';
import type { Actor, RoomChange, RoomRecord } from './room-policy.js';
import { RoomRules, applyChange, emptyRecord, ownedRecord } from './room-policy.js';
import type { Bus, RoomStore } from './ports.js';

/** Reads of a record retried while changes keep coming in during them (then the last one read is used). */
const READ_ATTEMPTS = 5;
/** Writes of a change retried when another node wrote the room first. */
const WRITE_ATTEMPTS = 8;
/**
 * A record this small travels with its `room-changed` event, so every node
 * has it the moment it hears of it; a larger one (a long ban list) is read
 * again from the store.
 */
const CARRIED_RECORD_BYTES = 32_768;

/** A change made: the rules it was made over, and the record now (the same, when nothing was written). */
export interface Written {
  before: RoomRules;
  after: RoomRecord;
}

/**
 * Rooms' records as this node reads them. Every `room-changed` event is
 * noted here, so a read during which one came is made again: a join checked
 * against a record read before a ban, whose event came while it was read,
 * is checked again against the ban.
 */
export class RoomRecords {
  private changes = 0;
  /** Told of every record this node writes, before the other nodes hear of it. */
  onWritten: (record: RoomRecord) => void = () => undefined;

  /** `store`: none when the server keeps no rooms (every room has no owner and no rules). */
  constructor(
    private readonly store: RoomStore | undefined,
    private readonly bus: Bus,
  ) {}

  /** Whether records are kept at all. */
  get kept(): boolean {
    return this.store !== undefined;
  }

  /** A room's record was written somewhere (a `room-changed` event came). */
  noteChange(): void {
    this.changes++;
  }

  /** A room's rules as stored now (a room never written has none). */
  async rules(key: string, name: string): Promise<RoomRules> {
    let record: RoomRecord | undefined;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const seen = this.changes;
      record = await this.store?.room(key);
      if (seen === this.changes) break;
    }
    return new RoomRules(record ?? emptyRecord(key, name));
  }

  /**
   * Makes a new room `owner`'s, unless they own `most` rooms already or
   * someone wrote the room first. Returns the record written, if it was.
   */
  async makeOwned(
    key: string,
    name: string,
    owner: Actor,
    most: number,
  ): Promise<RoomRecord | undefined> {
    const store = this.store;
    if (!store || !owner.account) return undefined;
    if (most <= 0 || (await store.ownedCount(owner.identity)) >= most) return undefined;
    const record = { ...ownedRecord(key, name, owner), version: 1 };
    if (!(await store.putRoom(record, 0))) return undefined;
    this.written(record);
    return record;
  }

  /** A record this node wrote: its rooms here take it now, every node hears of it. */
  private written(record: RoomRecord): void {
    this.onWritten(record);
    const carried = JSON.stringify(record).length <= CARRIED_RECORD_BYTES;
    this.bus.publish({
      kind: 'room-changed',
      roomKey: record.key,
      version: record.version,
      ...(carried ? { record } : {}),
    });
  }

  /**
   * Applies a change to a room as stored now, if `actor` may make it, and
   * writes it over the version read: when another node wrote the room
   * meanwhile, it is read and applied again. Every node hears of it
   * (`room-changed`). Returns what was written, or the refusal.
   */
  async write(
    key: string,
    name: string,
    actor: Actor,
    change: RoomChange,
    now: number,
  ): Promise<Written | FrameError> {
    const store = this.store;
    if (!store) return { code: 'not_allowed', message: 'this server keeps no rooms' };
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const before = await this.rules(key, name);
      const result = applyChange(before, actor, change, now);
      if ('refused' in result) return result.refused;
      if (result.record === before.record) return { before, after: before.record };
      if (await store.putRoom(result.record, before.version)) {
        this.written(result.record);
        return { before, after: result.record };
      }
    }
    return { code: 'unavailable', message: `${name} is changing too fast right now; try again` };
  }
}
