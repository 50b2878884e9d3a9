/**
 * The Redis keys of one chat, all under one prefix (so several chats can
 * share a Redis). Values that say who holds something start with the
 * node's id and a newline: `node\nname`.
 */
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

  /** A claimed name (a string `node\nname\nowner` with an expiry: who holds it, as spelled, and their identity). */
  name(nameKey: string): string {
    return `${this.namePrefix}${nameKey}`;
  }

  get namePrefix(): string {
    return `${this.prefix}name:`;
  }

  /** A room's members (a hash: folded name to `node\nname`). */
  members(roomKey: string): string {
    return `${this.membersPrefix}${roomKey}`;
  }

  get membersPrefix(): string {
    return `${this.prefix}members:`;
  }
}

/** What a holder value says after its node id. */
export function heldValue(value: string): string {
  return value.slice(value.indexOf('\n') + 1);
}

/** The node id a holder value starts with. */
export function heldNode(value: string): string {
  return value.slice(0, value.indexOf('\n'));
}
