import type { PageQuery } from '../core/ports.js';

/**
 * A page of `messages` (sorted by their number, possibly trimmed at the
 * front), oldest first. `numberOf` reads a message's number (`seq` in a
 * room, `dseq` in a mailbox).
 */
export function pageOf<T>(
  messages: readonly T[],
  query: PageQuery,
  numberOf: (message: T) => number,
): T[] {
  if (messages.length === 0) return [];
  const first = numberOf(messages[0]!);
  // Numbers are contiguous, so a number's index is number - first.
  if (query.after !== undefined) {
    const start = Math.max(0, query.after + 1 - first);
    return messages.slice(start, start + query.limit);
  }
  const end =
    query.before === undefined
      ? messages.length
      : Math.max(0, Math.min(messages.length, query.before - first));
  return messages.slice(Math.max(0, end - query.limit), end);
}
