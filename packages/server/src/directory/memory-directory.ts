import type {
  ClaimResult,
  Directory,
  MemberEntry,
  NameHolder,
  Rename,
  RoomCount,
} from '../core/ports.js';
import { RENAME_MEMORY_MS } from '../core/ports.js';

/** Renames remembered at most. */
const MAX_RENAMES = 10_000;

/**
 * Names and membership of a single process, in memory. There is one node,
 * and the core calls each method once per person (not per connection), so
 * no counting is needed: a name is held or not, a person in a room or not.
 */
export class MemoryDirectory implements Directory {
  /** @param node the id of the node (the process) every name here is held on */
  constructor(private readonly node = 'local') {}

  private readonly names = new Map<string, NameHolder & { lookalike?: string }>();
  /** Look-alike keys of the names held with one: to the folded name holding each. */
  private readonly lookalikes = new Map<string, string>();
  private readonly rooms = new Map<string, Map<string, string>>();
  /** Each room with members, as first spelled. */
  private readonly roomNames = new Map<string, string>();
  /** Renames, oldest first, with when each was made: bounded in count and time. */
  private readonly renames = new Map<string, Rename & { at: number }>();

  async claim(
    nameKey: string,
    name: string,
    owner: string,
    lookalike?: string,
    address?: string,
  ): Promise<ClaimResult> {
    const held = this.names.get(nameKey);
    if (held && held.owner !== owner) return 'taken';
    if (lookalike !== undefined) {
      const holder = this.lookalikes.get(lookalike);
      if (holder !== undefined && holder !== nameKey) return 'lookalike';
      this.lookalikes.set(lookalike, nameKey);
    }
    const previous = held?.lookalike;
    if (previous !== undefined && previous !== lookalike) this.lookalikes.delete(previous);
    this.names.set(nameKey, {
      name,
      node: this.node,
      owner,
      ...(lookalike === undefined ? {} : { lookalike }),
      ...(address === undefined ? {} : { address }),
    });
    return 'claimed';
  }

  async release(nameKey: string): Promise<void> {
    const lookalike = this.names.get(nameKey)?.lookalike;
    if (lookalike !== undefined && this.lookalikes.get(lookalike) === nameKey)
      this.lookalikes.delete(lookalike);
    this.names.delete(nameKey);
  }

  async lookalikeHolder(lookalike: string): Promise<string | undefined> {
    return this.lookalikes.get(lookalike);
  }

  async holder(nameKey: string): Promise<NameHolder | undefined> {
    const held = this.names.get(nameKey);
    return held && holderOf(held);
  }

  async addMember({ roomKey, room, nameKey, name }: MemberEntry): Promise<boolean> {
    let members = this.rooms.get(roomKey);
    if (!members) {
      this.rooms.set(roomKey, (members = new Map()));
      this.roomNames.set(roomKey, room);
    }
    const first = !members.has(nameKey);
    members.set(nameKey, name);
    return first;
  }

  async removeMember(roomKey: string, nameKey: string): Promise<boolean> {
    const members = this.rooms.get(roomKey);
    if (!members?.delete(nameKey)) return false;
    if (members.size === 0) {
      this.rooms.delete(roomKey);
      this.roomNames.delete(roomKey);
    }
    return true;
  }

  async members(roomKey: string): Promise<string[]> {
    return [...(this.rooms.get(roomKey)?.values() ?? [])];
  }

  async isMember(roomKey: string, nameKey: string): Promise<boolean> {
    return this.rooms.get(roomKey)?.has(nameKey) ?? false;
  }

  async memberCount(roomKey: string): Promise<number> {
    return this.rooms.get(roomKey)?.size ?? 0;
  }

  async roomCounts(limit: number): Promise<RoomCount[]> {
    const counts: RoomCount[] = [];
    for (const [roomKey, members] of this.rooms) {
      if (counts.length >= limit) break;
      counts.push({ roomKey, room: this.roomNames.get(roomKey) ?? roomKey, members: members.size });
    }
    return counts;
  }

  async people(limit: number): Promise<NameHolder[]> {
    const people: NameHolder[] = [];
    for (const held of this.names.values()) {
      if (people.length >= limit) break;
      people.push(holderOf(held));
    }
    return people;
  }

  async roomName(roomKey: string): Promise<string | undefined> {
    return this.roomNames.get(roomKey);
  }

  async noteRename(oldKey: string, rename: Rename): Promise<void> {
    this.renames.delete(oldKey);
    this.renames.set(oldKey, { ...rename, at: Date.now() });
    // The oldest go first once there are many: a guest renaming in a loop cannot grow this.
    for (const key of this.renames.keys()) {
      if (this.renames.size <= MAX_RENAMES) break;
      this.renames.delete(key);
    }
  }

  async renamedTo(oldKey: string): Promise<Rename | undefined> {
    const rename = this.renames.get(oldKey);
    if (!rename || Date.now() - rename.at > RENAME_MEMORY_MS) return undefined;
    return { name: rename.name, owner: rename.owner };
  }

  async close(): Promise<void> {
    this.names.clear();
    this.lookalikes.clear();
    this.rooms.clear();
    this.roomNames.clear();
  }
}

function holderOf(held: NameHolder): NameHolder {
  return {
    name: held.name,
    node: held.node,
    owner: held.owner,
    ...(held.address === undefined ? {} : { address: held.address }),
  };
}
