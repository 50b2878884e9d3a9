import type { Outgoing } from '../core/outgoing.js';
import { Outgoing as OutgoingFrame } from '../core/outgoing.js';
import type { TransportStats } from './stats.js';

/** What goes out instead of a frame that would pass the limit. */
const TOO_LARGE = new OutgoingFrame({
  type: 'error',
  code: 'internal',
  message: 'the server had an answer too large to send; it was left out',
});

/**
 * The frame limit holds both ways: every list the server sends is cut in
 * pages to fit. A frame over it all the same is a bug: it is counted
 * (`confab_oversized_frames_total`) and replaced by an `internal` error,
 * rather than sent to a client that would take it for a broken link.
 */
export function withinFrameLimit(
  out: Outgoing,
  maxFrameBytes: number,
  stats: TransportStats,
): Outgoing {
  // The JSON and its line ending.
  if (out.line.length <= maxFrameBytes) return out;
  stats.oversizedFrames++;
  return TOO_LARGE;
}
