/*
 * Connections still in their handshake count toward a limit per address
 * (the listener's). The listener marks each socket it accepts with how to
 * let its place go; the transport that ends up holding the socket lets it
 * go once the session is registered, and the listener when it closes.
 */

const SETTLE = Symbol('confab.settleHandshake');
type Marked = { [SETTLE]?: () => void };

/** Marks `socket` as holding a handshake place, let go by `settle` (called at most once). */
export function holdHandshake(socket: object, settle: () => void): void {
  let settled = false;
  (socket as Marked)[SETTLE] = () => {
    if (settled) return;
    settled = true;
    settle();
  };
}

/** A socket wrapping another (TLS over TCP) holds the same place. */
export function carryHandshake(from: object, to: object): void {
  (to as Marked)[SETTLE] = (from as Marked)[SETTLE];
}

/** The connection on `socket` is through its handshake: its place is let go. A no-op after the first time. */
export function settleHandshake(socket: object): void {
  (socket as Marked)[SETTLE]?.();
}
