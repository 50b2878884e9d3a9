import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `word` that fits in `width` columns (one grapheme at least), and the rest. */
function fitPrefix(word: string, width: number): [string, string] {
  let prefix = '';
  let used = 0;
  for (const { segment, index } of graphemes.segment(word)) {
    const w = stringWidth(segment);
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
 * Widths are terminal columns: wide characters count two.
 */
export function wrapText(text: string, first: number, rest: number): string[] {
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
    const w = stringWidth(token);
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
    while (stringWidth(remainder) > room) {
      [line, remainder] = fitPrefix(remainder, room);
      breakLine();
    }
    line = remainder;
    used = stringWidth(remainder);
  }
  lines.push(line.trimEnd());
  return lines;
}
