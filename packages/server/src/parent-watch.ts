/** How often the parent is looked at. */
const CHECK_MS = 1_000;

/**
 * Calls `orphaned` once if this process loses its parent. A package
 * manager's script (`pnpm start`) passes SIGINT and SIGTERM on to the
 * server, but a wrapper killed outright (SIGKILL) passes nothing: the
 * server would run on unseen. An orphan is adopted by another process, so
 * its parent id changes.
 */
export function watchParent(orphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    orphaned();
  }, CHECK_MS);
  timer.unref();
}
