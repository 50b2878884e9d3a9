import { wrapText as wrapAt } from '@confab/protocol';
import stringWidth from 'string-width';

/**
 * Wraps one line of text (no line breaks in it) at word boundaries: the
 * first line at most `first` columns, the others at most `rest`. Widths are
 * terminal columns: wide characters count two.
 */
export function wrapText(text: string, first: number, rest: number): string[] {
  return wrapAt(text, first, rest, stringWidth);
}
