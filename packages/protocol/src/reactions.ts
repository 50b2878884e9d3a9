import { LIMITS } from './limits.js';
import { utf8ByteLength } from './text.js';

/*
 * Reactions (section 6.6): an emoji a person puts on a message. What counts
 * as one is checked the same way by the server and by clients (which offer
 * only what the server would take).
 */

/** What Confab's clients offer to pick from (any other emoji goes with `/react N emoji`). */
export const REACTION_PICKS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const;

/** One reaction a message carries: the emoji, how many reacted with it, and whether the reader did. */
export interface ReactionCount {
  emoji: string;
  count: number;
  /** The reader is among those who reacted with it (sent only when true). */
  me?: boolean;
}

// A picture, as Unicode marks the characters emoji are made of; a pair of
// regional indicators is a flag; a keycap is a digit, # or * with U+20E3.
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;
// Parts an emoji never holds: controls, spaces, letters, digits and
// punctuation (its own modifiers, joiners, selectors and tags are none of them).
const NOT_EMOJI_PART = /[\p{Cc}\p{Z}\p{L}\p{N}\p{P}]/u;

let segmenter: Intl.Segmenter | undefined;

/** How many grapheme clusters (what a reader sees as one character) `text` holds, counting to 2. */
function graphemesUpToTwo(text: string): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let count = 0;
  for (const _ of segmenter.segment(text)) if (++count === 2) break;
  return count;
}

/**
 * Why `value` is not a reaction, or undefined when it is one: a single
 * emoji (one grapheme cluster: a picture with its modifiers and joiners, a
 * flag, a keycap) of at most `LIMITS.maxReactionBytes` bytes.
 */
export function reactionProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'emoji must be a string';
  if (!value.isWellFormed() || utf8ByteLength(value) > LIMITS.maxReactionBytes)
    return `emoji must be one emoji of at most ${LIMITS.maxReactionBytes} bytes`;
  if (FLAG.test(value) || KEYCAP.test(value)) return undefined;
  if (!PICTOGRAPHIC.test(value) || graphemesUpToTwo(value) !== 1)
    return 'emoji must be a single emoji';
  // Anything but the picture's own parts (text around it, a control) is refused.
  const rest = value.replace(/\p{Extended_Pictographic}/gu, '');
  if (NOT_EMOJI_PART.test(rest)) return 'emoji must be a single emoji';
  return undefined;
}

/** Whether `value` is a reaction the server takes (see {@link reactionProblem}). */
export function isReaction(value: unknown): value is string {
  return reactionProblem(value) === undefined;
}
