import type { ClientFrame } from '../frames.js';
import type { FrameError, RawFrame } from '../validate.js';

/** What a transport reports to the client core. Each is called on the core's side of the link. */
export interface TransportHandlers {
  /** The link is up; the core sends `hello` now. */
  open(): void;
  /** One decoded frame from the server (shape not yet checked). */
  frame(frame: RawFrame): void;
  /** A line from the server that did not decode. */
  decodeError(error: FrameError): void;
  /** The link is gone (called once, also when opening failed). */
  close(detail?: { error?: string }): void;
}

/** One link to a server, opened by a {@link Connect} function. */
export interface ClientTransport {
  /** Sends a frame. Never throws; after close it is a no-op. */
  send(frame: ClientFrame): void;
  /** Closes the link; `close` is reported to the handlers once. */
  close(): void;
}

/**
 * Opens a new link to the server. The core calls it on every (re)connect:
 * TCP in Node (the terminal client), WebSocket in the browser (the page).
 */
export type Connect = (handlers: TransportHandlers) => ClientTransport;

/** Time and randomness, injected so tests can drive them. */
export interface ClientClock {
  now(): number;
  setTimer(ms: number, callback: () => void): unknown;
  clearTimer(handle: unknown): void;
  random(): number;
}

/** The real clock: `Date.now`, `setTimeout`, `Math.random`. */
export const systemClock: ClientClock = {
  now: () => Date.now(),
  setTimer: (ms, callback) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};
