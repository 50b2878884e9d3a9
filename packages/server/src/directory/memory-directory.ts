import type { Directory, MemberEntry, NameHolder } from '../core/ports.js';

/** Names and membership of a single process, in memory. */
export class MemoryDirectory implements Directory {
  /** @param node the id of the node (the process) every name here is held on */
  constructor(private readonly node = 'local') {}

  private readonly names = new Map<string, NameHolder>();
  private readonly rooms = new Map<string, Map<string, string>>();

  async claim(nameKey: string, name: string, owner: string): Promise<boolean> {
    if (this.names.has(nameKey)) return false;
    this.names.set(nameKey, { name, node: this.node, owner });
    return true;
  }

  async release(nameKey: string): Promise<void> {
    this.names.delete(nameKey);
  }

  async holder(nameKey: string): Promise<NameHolder | undefined> {
    return this.names.get(nameKey);
  }

  async addMember({ roomKey, nameKey, name }: MemberEntry): Promise<void> {
    let members = this.rooms.get(roomKey);
    if (!members) this.rooms.set(roomKey, (members = new Map()));
    members.set(nameKey, name);
  }

  async removeMember(roomKey: string, nameKey: string): Promise<void> {
    const members = this.rooms.get(roomKey);
    if (!members) return;
    members.delete(nameKey);
    if (members.size === 0) this.rooms.delete(roomKey);
  }

  async members(roomKey: string): Promise<string[]> {
    return [...(this.rooms.get(roomKey)?.values() ?? [])];
  }

  async close(): Promise<void> {
    this.names.clear();
    this.rooms.clear();
  }
}
