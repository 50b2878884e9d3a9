/** The page's keys, as `/help` lists them after the commands. */
export const PAGE_KEYS: readonly string[] = [
  '  Alt+1..9            go to the first nine conversations, as listed',
  '  Alt+Down, Alt+Up    next, previous conversation',
  '  Up, Down            recall what you typed (from the first or last line of the input)',
  '  Tab                 take the first suggested command',
  '  Enter, Shift+Enter  send; start a new line',
  '  Esc                 close the room list, a menu or the side panel; do not reply',
];

/** What a key pressed anywhere on the chat screen asks for, if anything. */
export type ScreenKey =
  { kind: 'conversation'; index: number } | { kind: 'step'; by: 1 | -1 } | { kind: 'close' };

/** The chat screen's own keys (the input's are its own). */
export function screenKey(event: KeyboardEvent): ScreenKey | undefined {
  if (event.ctrlKey || event.metaKey || event.isComposing) return undefined;
  if (event.altKey) {
    // `code`, not `key`: Alt+digit types another character on some layouts.
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (digit) return { kind: 'conversation', index: Number(digit[1]) - 1 };
    if (event.key === 'ArrowDown') return { kind: 'step', by: 1 };
    if (event.key === 'ArrowUp') return { kind: 'step', by: -1 };
    return undefined;
  }
  if (event.key === 'Escape' && !event.shiftKey) return { kind: 'close' };
  return undefined;
}
