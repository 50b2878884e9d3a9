/*
 * Identities: whose direct messages a mailbox holds. The strings are
 * stored (mailbox keys), so their forms are stable:
 *
 * - `g:<64 hex>`: a guest who came with a key (`hello.guest`): its SHA-256,
 *   made by the session layer, so the key itself is never kept;
 * - `a:<account id>`: someone logged in to an account, on every device;
 * - `e:<node>:<session>`: someone with no identity (plain text, a client of
 *   protocol 1.0): nothing is kept for them, and they are reached through
 *   the node that holds them.
 */

/** The identity of a session that came without one. */
export function sessionOwner(node: string, session: number): string {
  return `e:${node}:${session}`;
}

/** Whether direct messages to this identity are kept (it can come back for them). */
export function keepsDirects(owner: string): boolean {
  return !owner.startsWith('e:');
}

/** The identity of an account: its mailbox, whichever device its owner logs in from. */
export function accountOwner(accountId: string): string {
  return `a:${accountId}`;
}
