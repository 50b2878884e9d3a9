import type { Bus, BusEvent } from '../core/ports.js';

/** The bus of a single process: every event goes straight to this node's handlers, in order. */
export class LocalBus implements Bus {
  private readonly handlers: Array<(event: BusEvent) => void> = [];

  publish(event: BusEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: (event: BusEvent) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
