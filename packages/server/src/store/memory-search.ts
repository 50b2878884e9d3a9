import { foldName, hasTerms } from '@confab/protocol';
import type {
  FoundMessage,
  SearchPage,
  SearchQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { foundOf } from './found-message.js';

/** A kept message of a room or a mailbox. */
type Kept = StoredMessage | StoredDirect;

/** The messages of one room or mailbox to search, oldest first, and where each is in the store's order. */
export interface SearchSource {
  messages: readonly Kept[];
  positionOf: (message: Kept) => number;
}

/** Messages looked at, at most, per matching message a step may look at: a bound on a step's work. */
const SCAN_PER_MATCH = 10;

/**
 * A search of messages held in memory, with the answers of the SQLite
 * index: newest first (by the order the store kept them in), every term
 * found anywhere in the text, ignoring case and accents. It walks the
 * places asked for from their newest message back, merging them by
 * position, and stops after a bounded number of messages.
 */
export function searchSources(sources: SearchSource[], query: SearchQuery): SearchPage {
  const before = query.before ?? Number.MAX_SAFE_INTEGER;
  // Each source's next message to look at: the newest before `before`.
  const heads = sources.map((source) => ({ source, at: lastBefore(source, before) }));
  const found: FoundMessage[] = [];
  let matched = 0;
  let looked = 0;
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    let bestPosition = -1;
    for (const head of heads) {
      if (head.at < 0) continue;
      const position = head.source.positionOf(head.source.messages[head.at]!);
      if (position > bestPosition) {
        best = head;
        bestPosition = position;
      }
    }
    if (!best) return { found };
    const message = best.source.messages[best.at--]!;
    looked++;
    if (message.deletedBy === undefined && hasTerms(message.text, query.terms)) {
      matched++;
      if (wanted(message, query)) {
        found.push(foundOf(message, bestPosition));
        if (found.length === query.limit) return { found, next: bestPosition };
      }
    }
    if (matched >= query.budget || looked >= query.budget * SCAN_PER_MATCH)
      return { found, next: bestPosition };
  }
}

/** The index of a source's newest message before position `before`, or -1 (positions grow with the index). */
function lastBefore(source: SearchSource, before: number): number {
  let low = 0;
  let high = source.messages.length - 1;
  let at = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (source.positionOf(source.messages[middle]!) < before) {
      at = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return at;
}

function wanted(message: Kept, query: SearchQuery): boolean {
  if (query.from !== undefined && foldName(message.from) !== query.from) return false;
  if (query.since !== undefined && message.ts < query.since) return false;
  if (query.until !== undefined && message.ts >= query.until) return false;
  if (query.peer !== undefined) {
    if (!('dseq' in message)) return false;
    if (foldName(message.from) !== query.peer && foldName(message.to) !== query.peer) return false;
  }
  return true;
}
