/** Something with deadlines: a handshake to finish, a peer to hear from. */
export interface Sweepable {
  /** Checks deadlines against `now` (milliseconds) and acts on those passed. */
  sweep(now: number): void;
}

/**
 * Runs `act` once the input already waiting on sockets has been read. Node
 * runs due timers before it reads sockets, so a deadline judged straight
 * from a timer that fired late (the process was busy, or paused to collect
 * garbage) would miss what came in time and waits to be read.
 */
export function afterWaitingInput(act: () => void): NodeJS.Immediate {
  return setImmediate(act);
}

/**
 * One timer for every deadline of every connection: a sweep every
 * `intervalMs` instead of a timer per connection, so ten thousand idle
 * connections cost ten thousand checks a sweep and no timer objects. Each
 * sweep comes after the waiting input: a hello or a pong that came in time
 * is never taken for silence.
 */
export class Sweeper {
  private readonly members = new Set<Sweepable>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number, now: () => number) {
    const sweep = () => {
      const time = now();
      for (const member of this.members) member.sweep(time);
    };
    this.timer = setInterval(() => afterWaitingInput(sweep), intervalMs);
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
