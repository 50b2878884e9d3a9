import { useEntry } from '../recently-used.js';

/** How much of the server's reading and sending one address may use for large answers. */
export interface BudgetRates {
  /** Bytes of large answers (replays, history, member lists) a second; 0: no limit. */
  bytesPerSecond: number;
  /** Store reads a second (one per page read); 0: no limit. */
  readsPerSecond: number;
}

/** How many seconds' worth an idle address may spend at once. */
const BURST_SECONDS = 4;
/** Addresses remembered; past it, the one used longest ago is forgotten (it starts full again). */
const MAX_ADDRESSES = 100_000;

interface Ledger {
  bytes: number;
  reads: number;
  at: number;
}

/**
 * What each address may make the server read and send for it, shared by
 * all of that address's connections: a balance of bytes and of store reads
 * for each, refilled at the rates, up to four seconds' worth. A page is
 * read only when both balances allow, and its bytes are charged once it is
 * sent (the balance may go below zero: the next page then waits). So one
 * address asking for replays, history or member lists as fast as it can is
 * slowed to the rates, whatever it asks and however many connections it
 * has, and everyone else's share of the server is untouched.
 */
export class AddressBudgets {
  /** In the order last used: the first is the one to forget. */
  private readonly ledgers = new Map<string, Ledger>();

  constructor(
    private readonly rates: BudgetRates,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Waits until `address` may read one more page, and takes the read. */
  async read(address: string): Promise<void> {
    const { bytesPerSecond, readsPerSecond } = this.rates;
    if (bytesPerSecond <= 0 && readsPerSecond <= 0) return;
    for (;;) {
      const ledger = this.ledger(address);
      const readWait =
        readsPerSecond > 0 && ledger.reads < 1 ? (1 - ledger.reads) / readsPerSecond : 0;
      const byteWait = bytesPerSecond > 0 && ledger.bytes < 0 ? -ledger.bytes / bytesPerSecond : 0;
      const wait = Math.max(readWait, byteWait);
      if (wait === 0) {
        ledger.reads -= 1;
        return;
      }
      await this.sleep(Math.ceil(wait * 1000));
    }
  }

  /** Charges bytes sent to `address` as part of a large answer. */
  charge(address: string, bytes: number): void {
    if (this.rates.bytesPerSecond <= 0) return;
    this.ledger(address).bytes -= bytes;
  }

  /** The address's ledger, refilled to now. */
  private ledger(address: string): Ledger {
    const now = this.now();
    const { bytesPerSecond, readsPerSecond } = this.rates;
    const ledger = useEntry(this.ledgers, address, MAX_ADDRESSES, () => ({
      bytes: bytesPerSecond * BURST_SECONDS,
      reads: readsPerSecond * BURST_SECONDS,
      at: now,
    }));
    const seconds = Math.max(0, now - ledger.at) / 1000;
    ledger.at = now;
    ledger.bytes = Math.min(
      bytesPerSecond * BURST_SECONDS,
      ledger.bytes + seconds * bytesPerSecond,
    );
    ledger.reads = Math.min(
      readsPerSecond * BURST_SECONDS,
      ledger.reads + seconds * readsPerSecond,
    );
    return ledger;
  }
}
