import type { ClaimResult, Directory, MemberEntry, NameHolder } from '../core/ports.js';

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

  async claim(
    nameKey: string,
    name: string,
    owner: string,
    lookalike?: string,
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
    return held && { name: held.name, node: held.node, owner: held.owner };
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
    this.lookalikes.clear();
    this.rooms.clear();
  }
}
