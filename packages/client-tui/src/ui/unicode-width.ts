import { createRequire } from 'node:module';
import type { Widgets } from 'blessed';
import { eastAsianWidth } from 'get-east-asian-width';

const require = createRequire(import.meta.url);

interface BlessedUnicode {
  charWidth: (str: string | number, i?: number) => number;
  codePointAt: (str: string, i: number) => number;
  chars: { wide: RegExp; all: RegExp };
}

// Marks and joiners that take no column of their own.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** A character class of every code point current Unicode draws two columns wide. */
function wideClass(): string {
  const ranges: string[] = [];
  let start = -1;
  const hex = (cp: number) => `\\u{${cp.toString(16)}}`;
  for (let cp = 0x1100; cp <= 0x3fffe; cp++) {
    const wide = !(cp >= 0xd800 && cp <= 0xdfff) && cp <= 0x3fffd && eastAsianWidth(cp) === 2;
    if (wide && start === -1) start = cp;
    if (!wide && start !== -1) {
      ranges.push(start === cp - 1 ? hex(start) : `${hex(start)}-${hex(cp - 1)}`);
      start = -1;
    }
  }
  return `[${ranges.join('')}]`;
}

/**
 * blessed measures text with width tables from 2015: emoji count as one
 * column where terminals draw two, so a line slips, or (with fullUnicode)
 * the character after an emoji is eaten. This puts current Unicode
 * (get-east-asian-width) behind both things blessed uses: `charWidth`, which
 * its wrapping and screen call through the module object, and the
 * `chars.all` pattern it uses to give every wide character its second cell.
 * Call once, before a screen is made.
 */
export function patchBlessedWidths(): void {
  const unicode = require('blessed/lib/unicode.js') as BlessedUnicode;
  const original = unicode.charWidth;
  unicode.charWidth = (str, i) => {
    const point = typeof str === 'number' ? str : unicode.codePointAt(str, i ?? 0);
    // Tabs and controls: blessed's own rules.
    if (point === 0x09 || point < 0x20 || (point >= 0x7f && point < 0xa0)) return original(str, i);
    if (ZERO_WIDTH.test(String.fromCodePoint(point))) return 0;
    return eastAsianWidth(point, { ambiguousAsWide: false });
  };
  const wide = new RegExp(`(${wideClass()})`, 'gu');
  unicode.chars.wide = wide;
  unicode.chars.all = wide;
}

/** Whether the locale says the terminal speaks UTF-8. */
export function localeIsUtf8(env: NodeJS.ProcessEnv): boolean {
  return /utf-?8/i.test(env.LC_ALL || env.LC_CTYPE || env.LANG || '');
}

/**
 * Draws box lines as UTF-8 characters instead of the VT100 alternate
 * character set: every UTF-8 terminal draws them, and terminal multiplexers
 * then hold real line characters (not `q` and `x`) in their screens.
 */
export function preferUtf8LineDrawing(screen: Widgets.Screen): void {
  (screen.program as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
}
