import { LIMITS } from './limits.js';

/*
 * What a search looks for (section 6.10). A query is words and "phrases in
 * double quotes"; a message is found when its text has every one of them,
 * anywhere (a word inside a longer one too: CJK text has no spaces),
 * ignoring case and accents. Server and clients share these rules: the
 * server to find and mark, the clients to say early what it would refuse.
 */

/** The words and phrases of a query, in its order: each at least `LIMITS.minSearchChars` long. */
export function searchTerms(query: string): string[] {
  const terms: string[] = [];
  // A phrase is what is between double quotes; outside them, words are what spaces part.
  const parts = query.normalize('NFC').split('"');
  parts.forEach((part, i) => {
    const quoted = i % 2 === 1 && i < parts.length - 1;
    const found = quoted ? [part.trim().replace(/\s+/gu, ' ')] : part.split(/\s+/u);
    for (const term of found) if (term !== '' && !terms.includes(term)) terms.push(term);
  });
  return terms;
}

/** Why a query cannot be searched, or undefined when it can. */
export function searchProblem(query: string): string | undefined {
  const terms = searchTerms(query);
  if (terms.length === 0) return 'search for at least one word';
  if (terms.length > LIMITS.maxSearchTerms)
    return `search for at most ${LIMITS.maxSearchTerms} words and phrases`;
  const short = terms.find((term) => [...foldForSearch(term)].length < LIMITS.minSearchChars);
  if (short !== undefined)
    return `search words need at least ${LIMITS.minSearchChars} characters (${short} has fewer)`;
  return undefined;
}

/**
 * Text as a search compares it: without accents (a letter's combining
 * marks), in lower case. It keeps one character for each of the text's
 * code points but the marks, so a match in it can be found in the text.
 */
export function foldForSearch(text: string): string {
  return foldParts(text).folded;
}

/**
 * The folded text, and where each of its UTF-16 units came from in the
 * text (so a match found in the folded text can be marked in the text).
 */
export function foldParts(text: string): { folded: string; from: number[] } {
  let folded = '';
  const from: number[] = [];
  let at = 0;
  for (const char of text) {
    const bare = char
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      // Letters that fold to more than one code point (İ) keep their first.
      .slice(0, char.length);
    for (let i = 0; i < bare.length; i++) from.push(at);
    folded += bare;
    at += char.length;
  }
  from.push(at);
  return { folded, from };
}

/** Whether `text` has every term (folded: see `foldForSearch`). */
export function hasTerms(text: string, foldedTerms: readonly string[]): boolean {
  const folded = foldForSearch(text);
  return foldedTerms.every((term) => folded.includes(term));
}
