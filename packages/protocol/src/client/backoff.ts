/** How a client waits between reconnect attempts. */
export interface BackoffOptions {
  /** First delay. @default 500 */
  initialMs?: number;
  /** Largest delay. @default 15000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /** Share of the delay that is random, 0..1: spreads a crowd of clients reconnecting at once. @default 0.5 */
  jitter?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential
 * growth capped at `maxMs`, of which a `jitter` share is drawn at random.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  options: BackoffOptions = {},
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const ceiling = Math.min(max, initial * factor ** Math.min(attempt, 30));
  return Math.round(ceiling * (1 - jitter + jitter * random));
}
