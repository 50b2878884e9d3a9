import { foldName } from '@confab/protocol';
import prototypes from 'unhomoglyph/data.json' with { type: 'json' };

/*
 * Names that look like someone else's (Unicode Technical Standard #39,
 * "Unicode Security Mechanisms"). Name keys (`foldName`) already make
 * names equal when they differ only by case or by compatibility forms
 * (full-width, mathematical bold); this catches what a key cannot: a
 * Cyrillic `а` for a Latin `a`, a capital `I` for an `l`, a digit `0` for
 * an `O`, an accent on a letter that is easily missed.
 *
 * Two names look alike when their look-alike keys are equal. The key is a
 * skeleton (section 4: NFD, each character replaced by the prototype
 * Unicode's confusables data gives it, NFD again), with the generic
 * combining marks (accents of the Inherited script) dropped, folded as
 * name keys are, and taken through the skeleton once more so that folding
 * cannot bring back a look-alike. It is for comparing only: never shown.
 *
 * The data is Unicode's `confusables.txt`, version 13.0.0, as packaged by
 * `unhomoglyph` 1.0.6 (code point to prototype, the file's one mapping).
 */

/** The version of Unicode's confusables data the skeletons are made with. */
export const CONFUSABLES_VERSION = '13.0.0';

/**
 * Names the way look-alike keys are made (the data's version and this
 * module's steps): stored keys made another way are made again.
 */
export const LOOKALIKE_VERSION = `confusables ${CONFUSABLES_VERSION}, key 1`;

/** Each code point to its prototype (a code point or several), as `confusables.txt` says. */
const confusables: Readonly<Record<string, string>> = prototypes;

/** Accents and other marks of no script of their own: easy to miss on a letter. */
const GENERIC_MARKS = /(?=\p{Mn})\p{Script=Inherited}/gu;

/** One skeleton pass: NFD, prototypes, NFD, without generic marks. */
function skeleton(text: string): string {
  let mapped = '';
  for (const char of text.normalize('NFD')) mapped += confusables[char] ?? char;
  return mapped.normalize('NFD').replace(GENERIC_MARKS, '');
}

/** The key two names are compared by for looking alike; equal keys look alike. */
export function lookalikeKey(name: string): string {
  return skeleton(foldName(skeleton(name)));
}
