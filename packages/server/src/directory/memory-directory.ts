import type { Directory, MemberEntry, NameHolder } from '../core/ports.js';

/**
 * Names and membership of a single process, in memory. There is one node,
 * and the core calls each method once per person (not per connection), so
 * no counting is needed: a name is held or not, a person in a room or not.
 */
export class MemoryDirectory implements Directory {
  /** @param node the id of the node (the process) every name here is held on */
  constructor(private readonly node = 'local') {}

  private readonly names = new Map<string, NameHolder>();
  private readonly rooms = new Map<string, Map<string, string>>();

  async claim(nameKey: string, name: string, owner: string): Promise<boolean> {
    const held = this.names.get(nameKey);
    if (held && held.owner !== owner) return false;
    this.names.set(nameKey, { name, node: this.node, owner });
    return true;
  }

  async release(nameKey: string): Promise<void> {
    this.names.delete(nameKey);
  }

  async holder(nameKey: string): Promise<NameHolder | undefined> {
    return this.names.get(nameKey);
  }

  async addMember({ roomKey, nameKey, name }: MemberEntry): Promise<boolean> {
    let members = this.rooms.get(roomKey);
    if (!members) this.rooms.set(roomKey, (members = new Map()));
    const first = !members.has(nameKey);
    members.set(nameKey, name);
    return first;
  }

  async removeMember(roomKey: string, nameKey: string): Promise<boolean> {
    const members = this.rooms.get(roomKey);
    if (!members?.delete(nameKey)) return false;
    if (members.size === 0) this.rooms.delete(roomKey);
    return true;
  }

  async members(roomKey: string): Promise<string[]> {
    return [...(this.rooms.get(roomKey)?.values() ?? [])];
  }

  async close(): Promise<void> {
    this.names.clear();
    this.rooms.clear();
  }
}
