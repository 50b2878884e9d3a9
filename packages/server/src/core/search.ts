import type { FrameError, SearchFrame, SearchHit, SnippetPart } from '@confab/protocol';
import {
  LIMITS,
  foldForSearch,
  foldName,
  foldParts,
  foldRoom,
  searchTerms,
} from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import { keepsDirects } from './owners.js';
import type { ChatUser } from './people.js';
import type { FoundMessage, SearchIndex } from './ports.js';

/**
 * Matching messages one search step looks at, at most: a common word in a
 * large history stops the step there, and the answer's `next` goes on.
 */
export const SEARCH_BUDGET = 2_000;

/**
 * Answers `search` (section 6.10): in the rooms the connection's person is
 * in and the direct messages kept for them, never anywhere else, through
 * the history's full-text index.
 */
export class Search {
  constructor(private readonly index: SearchIndex | undefined) {}

  async search(user: ChatUser, frame: SearchFrame): Promise<FrameError | undefined> {
    if (!this.index) return { code: 'unavailable', message: 'this server keeps no search index' };
    const before = frame.cursor === undefined ? undefined : Number(frame.cursor);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0))
      return { code: 'invalid_field', message: 'cursor must be one a search answer gave' };
    let rooms: string[];
    if (frame.room !== undefined) {
      const membership = user.rooms.get(foldRoom(frame.room));
      if (!membership) return { code: 'not_in_room', message: `you are not in ${frame.room}` };
      rooms = [membership.room.key];
    } else rooms = frame.with === undefined ? [...user.rooms.values()].map((m) => m.room.key) : [];
    const owner = user.person.owner;
    const terms = searchTerms(frame.query).map(foldForSearch);
    const page = await this.index.search({
      terms,
      rooms,
      ...(frame.room === undefined && keepsDirects(owner) ? { mailbox: owner } : {}),
      ...(frame.with === undefined ? {} : { peer: foldName(frame.with) }),
      ...(frame.from === undefined ? {} : { from: foldName(frame.from) }),
      ...(frame.since === undefined ? {} : { since: frame.since }),
      ...(frame.until === undefined ? {} : { until: frame.until }),
      ...(before === undefined ? {} : { before }),
      limit: frame.limit ?? LIMITS.defaultSearchLimit,
      budget: SEARCH_BUDGET,
    });
    user.recipient.deliver(
      new Outgoing({
        type: 'search_results',
        query: frame.query,
        hits: page.found.map((found) => hitOf(found, terms)),
        ...(page.next === undefined ? {} : { next: String(page.next) }),
        ...(frame.ref === undefined ? {} : { ref: frame.ref }),
      }),
    );
    return undefined;
  }
}

/** A found message as its hit. */
function hitOf(found: FoundMessage, terms: string[]): SearchHit {
  const place = found.room
    ? { room: found.room.name, seq: found.room.seq }
    : { to: found.direct!.to, dseq: found.direct!.dseq };
  return {
    id: found.id,
    from: found.from,
    ts: found.ts,
    ...place,
    snippet: snippetOf(found.text, terms),
  };
}

/**
 * The text around its first match of `terms` (folded), at most
 * `LIMITS.searchSnippetChars` characters each side, with every match in
 * it marked; `…` where the text was cut.
 */
export function snippetOf(text: string, terms: readonly string[]): SnippetPart[] {
  const { folded, from } = foldParts(text);
  // Matches in the folded text (start, end), the first of them first.
  const matches: Array<[number, number]> = [];
  for (const term of terms) {
    if (term === '') continue;
    for (let at = folded.indexOf(term); at >= 0; at = folded.indexOf(term, at + term.length))
      matches.push([at, at + term.length]);
  }
  matches.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = matches[0]?.[0] ?? 0;
  const chars = [...folded];
  // The window, in code points of the folded text (one per code point of the text).
  const offsets: number[] = [];
  let unit = 0;
  for (const char of chars) {
    offsets.push(unit);
    unit += char.length;
  }
  offsets.push(unit);
  const firstChar = offsets.findIndex((offset) => offset >= first);
  const startChar = Math.max(0, firstChar - LIMITS.searchSnippetChars);
  const matchEnd = matches[0]?.[1] ?? 0;
  const endChar = Math.min(
    chars.length,
    offsets.findIndex((offset) => offset >= matchEnd) + LIMITS.searchSnippetChars,
  );
  const start = offsets[startChar]!;
  const end = offsets[Math.max(startChar, endChar)]!;
  const parts: SnippetPart[] = [];
  const push = (a: number, b: number, hit: boolean) => {
    if (b <= a) return;
    const piece = text.slice(from[a], from[b]);
    const last = parts.at(-1);
    if (last && (last.hit === true) === hit) last.text += piece;
    else parts.push(hit ? { text: piece, hit: true } : { text: piece });
  };
  let at = start;
  for (const [a, b] of matches) {
    if (b <= at || a >= end) continue;
    push(at, Math.max(at, a), false);
    push(Math.max(at, a), Math.min(b, end), true);
    at = Math.min(b, end);
  }
  push(at, end, false);
  if (start > 0) parts.unshift({ text: '…' });
  if (end < folded.length) parts.push({ text: '…' });
  return mergeEllipses(parts);
}

/** Joins an ellipsis to the plain part beside it (the parts alternate plain and hit). */
function mergeEllipses(parts: SnippetPart[]): SnippetPart[] {
  const merged: SnippetPart[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (last && last.hit !== true && part.hit !== true) last.text += part.text;
    else merged.push({ ...part });
  }
  return merged;
}
