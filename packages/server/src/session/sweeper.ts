/** Something with deadlines: a handshake to finish, a peer to hear from. */
export interface Sweepable {
  /** Checks deadlines against `now` (milliseconds) and acts on those passed. */
  sweep(now: number): void;
}

/**
 * One timer for every deadline of every connection: a sweep every
 * `intervalMs` instead of a timer per connection, so ten thousand idle
 * connections cost ten thousand checks a sweep and no timer objects.
 */
export class Sweeper {
  private readonly members = new Set<Sweepable>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number, now: () => number) {
    this.timer = setInterval(() => {
      const time = now();
      for (const member of this.members) member.sweep(time);
    }, intervalMs);
    this.timer.unref();
  }

  add(member: Sweepable): void {
    this.members.add(member);
  }

  delete(member: Sweepable): void {
    this.members.delete(member);
  }

  stop(): void {
    clearInterval(this.timer);
    this.members.clear();
  }
}
