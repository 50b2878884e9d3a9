/** The Redis keys of one chat, all under one prefix (so several chats can share a Redis). */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** Pub/sub channel of every bus event. */
  get channel(): string {
    return `${this.prefix}events`;
  }

  /** Ids of the nodes that have not left cleanly (a set). */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** A node's numbering guard (see `NumberingGuard`): gone when Redis lost data. */
  guard(id: string): string {
    return `${this.guardPrefix}${id}`;
  }

  get guardPrefix(): string {
    return `${this.prefix}guard:`;
  }

  /** A node's liveness: it exists while the node's heartbeat renews it. */
  node(id: string): string {
    return `${this.prefix}node:${id}`;
  }

  /** The folded names a node holds (a set). */
  nodeNames(id: string): string {
    return `${this.prefix}node-names:${id}`;
  }

  /** The memberships a node's users hold (a hash: `roomKey\nnameKey` to `room\nname`). */
  nodeMembers(id: string): string {
    return `${this.prefix}node-members:${id}`;
  }

  /**
   * A claimed name (a hash with an expiry that holders renew): `owner` (the
   * identity holding it), `name` (as spelled), `look` (its look-alike key,
   * when held with one), and `n:<node>` for each node holding it.
   */
  name(nameKey: string): string {
    return `${this.namePrefix}${nameKey}`;
  }

  /** Where a guest's old name went (a JSON string, expiring after a week): `name` and `owner`. */
  renamed(nameKey: string): string {
    return `${this.prefix}renamed:${nameKey}`;
  }

  get namePrefix(): string {
    return `${this.prefix}name:`;
  }

  /** The folded name holding a look-alike key (with the name's expiry): no one else takes a name that looks like it. */
  lookalike(key: string): string {
    return `${this.lookalikePrefix}${key}`;
  }

  get lookalikePrefix(): string {
    return `${this.prefix}look:`;
  }

  /** A room's members (a hash: folded name to the name as spelled), each person once. */
  members(roomKey: string): string {
    return `${this.membersPrefix}${roomKey}`;
  }

  get membersPrefix(): string {
    return `${this.prefix}members:`;
  }

  /** How many nodes have each member in the room (a hash: folded name to a count). */
  memberNodes(roomKey: string): string {
    return `${this.memberNodesPrefix}${roomKey}`;
  }

  get memberNodesPrefix(): string {
    return `${this.prefix}member-nodes:`;
  }

  /** Rooms with people in them (a hash: room key to the room as spelled). */
  get activeRooms(): string {
    return `${this.prefix}active-rooms`;
  }

  /** A room's record (a hash: `v`, its version; `rec`, its JSON; `owner`, its owner's identity). */
  room(roomKey: string): string {
    return `${this.prefix}room:${roomKey}`;
  }

  /** How many rooms each identity owns (a hash: identity to count). */
  get ownedCounts(): string {
    return `${this.prefix}owned-counts`;
  }

  /** Keys of the rooms that have an owner (a set). */
  get ownedRooms(): string {
    return `${this.prefix}owned-rooms`;
  }

  /** The server's record (a hash like a room's). */
  get serverRecord(): string {
    return `${this.prefix}server-record`;
  }

  /** A moderation log (a sorted set of JSON entries scored by id); scope '' is the server's. */
  modlog(scope: string): string {
    return `${this.prefix}modlog:${scope}`;
  }

  /** The last moderation log id given. */
  get modlogId(): string {
    return `${this.prefix}modlog-id`;
  }
}
