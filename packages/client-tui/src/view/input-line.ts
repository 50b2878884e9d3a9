import stringWidth from 'string-width';
import { escapeTags } from './safe-text.js';

/**
 * The input line as drawn: what fits in `width` columns around the cursor,
 * the cursor shown inverse, newlines of a pasted block shown as `⏎`.
 */
export function renderInput(text: string, cursor: number, width: number, prompt = '> '): string {
  const shown = (s: string) => s.replace(/\r?\n/g, '⏎');
  const before = shown(text.slice(0, cursor));
  const atCursor =
    cursor < text.length ? shown(String.fromCodePoint(text.codePointAt(cursor)!)) : ' ';
  const after = shown(
    text.slice(
      cursor + (cursor < text.length ? String.fromCodePoint(text.codePointAt(cursor)!).length : 0),
    ),
  );
  const room = Math.max(4, width - stringWidth(prompt) - 1);
  // Keep the cursor in view: cut from the left, whole characters at a time.
  let head = before;
  while (stringWidth(head) + stringWidth(atCursor) > room && head.length > 0)
    head = [...head].slice(1).join('');
  let tail = '';
  for (const char of after) {
    if (stringWidth(head) + stringWidth(atCursor) + stringWidth(tail + char) > room) break;
    tail += char;
  }
  const cut = head.length < before.length ? '…' : '';
  return `{bold}${escapeTags(prompt)}{/bold}${cut}${escapeTags(head)}{inverse}${escapeTags(atCursor)}{/inverse}${escapeTags(tail)}`;
}
