/**
 * Signals this close together are one request to stop. Ctrl-C in a terminal
 * reaches every process of the foreground group: the server, and the package
 * manager that started it (`pnpm start`), which passes it on. The copy
 * arrives milliseconds later and must not be taken for a second Ctrl-C.
 */
const ONE_REQUEST_MS = 2_000;

/**
 * Calls `stop` on the first SIGINT or SIGTERM, and `stopNow` on one that
 * comes later than its echo would: someone who found the clean stop too
 * slow and asked again.
 */
export function onStopSignals(
  stop: (signal: NodeJS.Signals) => void,
  stopNow: (signal: NodeJS.Signals) => void,
): void {
  let firstAt: number | undefined;
  const heard = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      stop(signal);
    } else if (now - firstAt >= ONE_REQUEST_MS) {
      stopNow(signal);
    }
  };
  process.on('SIGINT', heard);
  process.on('SIGTERM', heard);
}
