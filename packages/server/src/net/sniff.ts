/** What the first bytes of a connection say it is. Stable: a log and metrics label. */
export type Sniffed = 'json' | 'http' | 'tls' | 'plain' | 'undecided';

const HTTP_METHODS = ['GET ', 'HEAD ', 'POST ', 'PUT ', 'DELETE ', 'OPTIONS ', 'PATCH '];
const LONGEST_METHOD = Math.max(...HTTP_METHODS.map((m) => m.length));

/**
 * Classifies a connection by its first bytes: `{` is the JSON stream, an
 * HTTP method and a space is HTTP (WebSocket, /healthz, /metrics), 0x16 is a
 * TLS ClientHello, anything else is a person typing. `undecided` while the
 * bytes so far could still begin an HTTP request line.
 */
export function sniff(head: Uint8Array): Sniffed {
  if (head.length === 0) return 'undecided';
  const first = head[0];
  if (first === 0x7b) return 'json';
  if (first === 0x16) return 'tls';
  const text = String.fromCharCode(...head.subarray(0, LONGEST_METHOD));
  if (HTTP_METHODS.some((method) => text.startsWith(method))) return 'http';
  if (HTTP_METHODS.some((method) => method.startsWith(text))) return 'undecided';
  return 'plain';
}
