/*
 * Text wrapped at terminal columns, shared by the terminal client and the
 * server's plain text. How wide a piece of text is on a terminal needs
 * Unicode's East Asian Width and emoji data: the caller brings that
 * measure (`WidthOf`), so this package keeps no tables.
 */

/** Terminal columns a piece of text takes (wide characters count two). */
export type WidthOf = (text: string) => number;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `word` that fits in `width` columns (one grapheme at least), and the rest. */
function fitPrefix(word: string, width: number, widthOf: WidthOf): [string, string] {
  let prefix = '';
  let used = 0;
  for (const { segment, index } of graphemes.segment(word)) {
    const w = widthOf(segment);
    if (used + w > width && prefix !== '') return [prefix, word.slice(index)];
    prefix += segment;
    used += w;
  }
  return [prefix, ''];
}

/**
 * Wraps one line of text (no line breaks in it) at word boundaries: the
 * first line at most `first` columns, the others at most `rest`. Spaces
 * where a line breaks are dropped; a word longer than a line is split.
 */
export function wrapText(text: string, first: number, rest: number, widthOf: WidthOf): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let room = Math.max(1, first);
  const breakLine = () => {
    lines.push(line.trimEnd());
    line = '';
    used = 0;
    room = Math.max(1, rest);
  };
  for (const token of text.match(/\s+|\S+/gu) ?? []) {
    const w = widthOf(token);
    if (used + w <= room) {
      line += token;
      used += w;
      continue;
    }
    if (/^\s+$/u.test(token)) {
      breakLine();
      continue;
    }
    if (used > 0) breakLine();
    if (w <= room) {
      line = token;
      used = w;
      continue;
    }
    // A word longer than a line: as much as fits on each line.
    let remainder = token;
    while (widthOf(remainder) > room) {
      [line, remainder] = fitPrefix(remainder, room, widthOf);
      breakLine();
    }
    line = remainder;
    used = widthOf(remainder);
  }
  lines.push(line.trimEnd());
  return lines;
}

/** Tabs as the spaces a terminal would move over (to the next multiple of eight columns). */
export function expandTabs(text: string, widthOf: WidthOf): string {
  if (!text.includes('\t')) return text;
  let out = '';
  let column = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (segment === '\t') {
      const spaces = 8 - (column % 8);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += segment;
      column += widthOf(segment);
    }
  }
  return out;
}
