import { ConfabError } from '@confab/protocol';

/**
 * Password hashes waiting for their turn. scrypt runs on libuv's thread
 * pool, off the event loop, but on the same cores: a storm of logins
 * hashing on every core at once would starve the event loop, and the chat
 * with it. At most `concurrency` hashes run at once (one core is left to
 * the chat); at most `maxWaiting` wait, and past that a login is refused
 * as `unavailable` (clients try again after a backoff).
 */
export class HashQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Hashes waiting for a turn now. */
  get backlog(): number {
    return this.waiting.length;
  }

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting)
        throw new ConfabError('unavailable', 'too many logins at once: try again in a moment');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await hash();
    } finally {
      // The turn passes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
