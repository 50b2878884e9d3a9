import { WAIT_MS } from './wait.js';

/** Frames waiting to be taken by a test, with waiters for the next match. */
export class Inbox<T> {
  readonly all: T[] = [];
  private readonly unread: T[] = [];
  private waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = [];

  push(item: T): void {
    this.all.push(item);
    const index = this.waiters.findIndex((w) => w.match(item));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(item);
    } else this.unread.push(item);
  }

  /** The unread items before the first that matches (waiting for it); they and it are taken. */
  async takeUntil(match: (item: T) => boolean, what: string, ms = WAIT_MS): Promise<T[]> {
    const marker = await this.take(match, what, ms);
    // take() left the items before the marker unread, in order; later ones came after it.
    const at = this.all.indexOf(marker);
    const before = this.unread.filter((item) => this.all.indexOf(item) < at);
    for (const item of before) this.unread.splice(this.unread.indexOf(item), 1);
    return before;
  }

  /** The first unread item that matches (waiting for it); items before it stay unread. */
  take(match: (item: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
    const index = this.unread.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (item: T) => (clearTimeout(timer), resolve(item)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        // The newest frames say most about what went wrong: the last few, in full.
        const last = this.unread.slice(-8).map((item) => JSON.stringify(item).slice(0, 300));
        reject(
          new Error(
            `timed out waiting for ${what}; ${this.unread.length} unread, the last:\n${last.join('\n')}`,
          ),
        );
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /**
   * Takes `first` (an item just taken) and the unread items right after it
   * that match `goesOn`: a line's continuation rows, which came with it.
   */
  takeFollowing(goesOn: (item: T) => boolean, after: T): T[] {
    const at = this.all.lastIndexOf(after);
    const following: T[] = [];
    for (let i = at + 1; i < this.all.length && goesOn(this.all[i]!); i++) {
      const index = this.unread.indexOf(this.all[i]!);
      if (index < 0) break;
      following.push(this.unread.splice(index, 1)[0]!);
    }
    return following;
  }

  /** Unread items so far, and forgets them. */
  drain(): T[] {
    return this.unread.splice(0, this.unread.length);
  }
}
