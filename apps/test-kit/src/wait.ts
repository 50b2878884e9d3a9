/**
 * How long a test waits for what it expects before failing. Only a failing
 * test waits this long; it is generous because CI runs every suite at once
 * on two cores.
 */
export const WAIT_MS = 8_000;

/**
 * Waits until `condition` holds, looking every few milliseconds; fails,
 * saying `what` it waited for, after `ms`. For what no single frame
 * announces (counts, a state reached by several events, a screen).
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(10);
  }
}

/** Sleeps. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
