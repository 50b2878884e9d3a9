import type { Directory, MemberEntry } from '../core/ports.js';

/** Names and membership of a single process, in memory. */
export class MemoryDirectory implements Directory {
  private readonly names = new Map<string, string>();
  private readonly rooms = new Map<string, Map<string, string>>();

  async claim(nameKey: string, name: string): Promise<boolean> {
    if (this.names.has(nameKey)) return false;
    this.names.set(nameKey, name);
    return true;
  }

  async release(nameKey: string): Promise<void> {
    this.names.delete(nameKey);
  }

  async onlineName(nameKey: string): Promise<string | undefined> {
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
