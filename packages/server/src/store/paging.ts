import type { PageQuery, StoredMessage } from '../core/ports.js';

/** A page of `messages` (sorted by seq, possibly trimmed at the front), oldest first. */
export function pageOf(messages: readonly StoredMessage[], query: PageQuery): StoredMessage[] {
  if (messages.length === 0) return [];
  const first = messages[0]!.seq;
  // Seqs are contiguous, so a seq's index is seq - first.
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
