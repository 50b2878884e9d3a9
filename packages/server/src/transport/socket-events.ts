import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** What a byte-stream connection does with its socket's events. */
export interface SocketListener {
  received(chunk: Buffer): void;
  socketClosed(): void;
}

const LISTENER = Symbol('confab.connection');

type Listened = (Socket | TLSSocket) & { [LISTENER]?: SocketListener };

// One function each for every socket, finding its connection on the socket:
// no closures per connection (ten thousand idle ones add up).
function onData(this: Listened, chunk: Buffer): void {
  this[LISTENER]!.received(chunk);
}
function onClose(this: Listened): void {
  this[LISTENER]!.socketClosed();
}
/** Errors end in `close`; nothing else to do with them. */
export function ignoreError(): void {}

/** Routes a socket's data and close to `listener`. */
export function listen(socket: Socket | TLSSocket, listener: SocketListener): void {
  (socket as Listened)[LISTENER] = listener;
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', ignoreError);
}
