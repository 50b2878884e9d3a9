/**
 * Counters the transports bump on their hot paths: plain numbers, read by
 * the metrics endpoint when it is scraped, so counting costs an addition.
 */
export interface TransportStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  slowConsumers: number;
  /** Frames over the frame limit the server was about to send (a bug): replaced by an `internal` error. */
  oversizedFrames: number;
}

export function newTransportStats(): TransportStats {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    slowConsumers: 0,
    oversizedFrames: 0,
  };
}
