import type { SearchHit, SnippetPart } from '../frames.js';
import type { TimeWords } from './room-texts.js';

/*
 * Search hits as lines for people: the same words in the terminal client
 * and plain text. Names and texts are put in as they came; each view makes
 * them inert as it shows them (`inert` here, before the brackets go in, so
 * a bracket in the text and one marking a match read apart).
 */

/** A snippet on one line, what matched in [brackets]. */
export function snippetText(
  snippet: readonly SnippetPart[],
  inert: (text: string) => string,
): string {
  return snippet.map((part) => (part.hit ? `[${inert(part.text)}]` : inert(part.text))).join('');
}

/** A hit on one line: when, where and who, then its snippet. */
export function hitText(hit: SearchHit, when: TimeWords, inert: (text: string) => string): string {
  const where =
    hit.room === undefined
      ? `${inert(hit.from)} -> ${inert(hit.to ?? '')}:`
      : `${inert(hit.room)} <${inert(hit.from)}>`;
  return `${when(hit.ts)} ${where} ${snippetText(hit.snippet, inert)}`;
}
