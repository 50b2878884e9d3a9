/*
 * Which web pages may open a WebSocket to this server. A browser sends the
 * `Origin` of the page that opens it; without a check, any site a person
 * visits could join rooms and read history through their browser, from
 * where it runs (the cross-site WebSocket hijack). Programs send no
 * `Origin` and are not concerned.
 */

/** Host names of this machine: a page they serve comes from the person's own computer (the `confab-gui` window). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether a WebSocket may be opened from a page of `origin`: none (a
 * program), the server's own (the page it serves: the origin's host is the
 * request's `Host`; browsers write neither with a default port), this
 * machine's (`localhost`, `127.x`, `[::1]`), or one of `allowed` (exact
 * origins like `https://chat.example.org`, or `*` for any). The `null`
 * origin (a sandboxed or local-file page) is refused.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopbackHost(url.hostname)) return true;
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return allowed.some((entry) => entry.toLowerCase() === url.origin);
}
