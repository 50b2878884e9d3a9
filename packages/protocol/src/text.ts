import type { ReplyExcerpt } from './frames.js';
import { LIMITS } from './limits.js';

/** Bytes `text` takes in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Why a message text was refused, as a wire error code and a message. */
export type TextProblem = { code: 'invalid_field' | 'text_too_long'; message: string };

/**
 * Checks a message text: a well-formed string of 1 to `maxBytes` bytes of
 * UTF-8. Returns undefined when it is fine.
 */
export function checkText(
  text: unknown,
  maxBytes: number = LIMITS.maxTextBytes,
): TextProblem | undefined {
  if (typeof text !== 'string') return { code: 'invalid_field', message: 'text must be a string' };
  if (text.length === 0) return { code: 'invalid_field', message: 'text must not be empty' };
  if (!text.isWellFormed()) return { code: 'invalid_field', message: 'text is not valid Unicode' };
  // A UTF-16 unit is at most 3 bytes of UTF-8: short texts need no count.
  if (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes) {
    return { code: 'text_too_long', message: `text must be at most ${maxBytes} bytes of UTF-8` };
  }
  return undefined;
}

// C0 controls but tab and line feed, DEL, and C1 controls: what a terminal
// may act on. Carriage return is escaped too: it can overwrite a line.
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// The same plus line breaks, for text that must stay on one line.
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS_AND_BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Bidirectional overrides and isolates can make text read backwards (spoofing).
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
// Characters that show as nothing, yet are there: marks of direction (LRM,
// RLM, ALM), the zero-width space, word joiner and invisible operators, the
// byte-order mark, line and paragraph separators, the soft hyphen, the
// combining grapheme joiner, Hangul and Khmer fillers, the Mongolian vowel
// separator, and tag characters (but for an emoji flag's tag sequence).
// The joiners emoji and scripts need (ZWJ, ZWNJ) and variation selectors stay.
// Each code point in the class is meant on its own (some are combining marks).
/* eslint-disable no-misleading-character-class */
const INVISIBLES =
  /(\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f})|[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]/gu;
/* eslint-enable no-misleading-character-class */

function escapeCodeUnit(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0x1b) return '^[';
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** An invisible character as its code point (`\u200b`, `\u{e0041}`); an emoji flag's tag sequence as it is. */
function escapeInvisible(match: string, flag: string | undefined): string {
  if (flag !== undefined) return match;
  const code = match.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes remote text safe to write to a terminal: every control character a
 * terminal could act on (escape sequences, bell, backspace, carriage return,
 * C1 controls, bidi overrides) is shown escaped (`^[`, `^G`, `\u009b`), and
 * so is every character that shows as nothing (`\u200b`, `\u200e`), so
 * what is there is what shows. Tabs and line feeds stay unless
 * `singleLine` is set.
 */
export function escapeControls(text: string, options: { singleLine?: boolean } = {}): string {
  const pattern = options.singleLine ? TERMINAL_CONTROLS_AND_BREAKS : TERMINAL_CONTROLS;
  return text
    .replace(pattern, escapeCodeUnit)
    .replace(BIDI_CONTROLS, escapeCodeUnit)
    .replace(INVISIBLES, escapeInvisible);
}

/**
 * What a reply carries of the message it answers: its id and sender, and
 * the start of its text on one line (runs of white space, line breaks
 * included, as one space), cut to `LIMITS.replyExcerptChars` characters
 * with `…` where it was cut.
 */
export function replyExcerpt(message: { id: string; from: string; text: string }): ReplyExcerpt {
  const line = message.text.replace(/\s+/gu, ' ').trim();
  const chars = [...line];
  const text =
    chars.length > LIMITS.replyExcerptChars
      ? `${chars.slice(0, LIMITS.replyExcerptChars - 1).join('')}…`
      : line;
  return { id: message.id, from: message.from, text };
}
