/** A key as blessed reports it. */
export interface KeyEvent {
  name?: string | undefined;
  full?: string | undefined;
  ctrl?: boolean | undefined;
  meta?: boolean | undefined;
  shift?: boolean | undefined;
}

/** What a key press asks the client to do. */
export type KeyAction =
  | { type: 'insert'; text: string }
  | { type: 'room'; index: number }
  | {
      type:
        | 'enter'
        | 'backspace'
        | 'delete'
        | 'left'
        | 'right'
        | 'home'
        | 'end'
        | 'up'
        | 'down'
        | 'kill-start'
        | 'kill-word'
        | 'tab'
        | 'page-up'
        | 'page-down'
        | 'newest'
        | 'quit'
        | 'next-room'
        | 'previous-room'
        | 'toggle-members';
    }
  | { type: 'none' };

const NAMED: Record<string, KeyAction['type']> = {
  'C-c': 'quit',
  'C-d': 'quit',
  // blessed reports one Enter (\r) twice: first as `enter`, then as
  // `return`. Only `enter` counts; `linefeed` is Ctrl-J (\n).
  enter: 'enter',
  linefeed: 'enter',
  backspace: 'backspace',
  'C-h': 'backspace',
  delete: 'delete',
  left: 'left',
  right: 'right',
  home: 'home',
  'C-a': 'home',
  end: 'end',
  'C-e': 'end',
  up: 'up',
  down: 'down',
  'C-u': 'kill-start',
  'C-w': 'kill-word',
  tab: 'tab',
  pageup: 'page-up',
  pagedown: 'page-down',
  escape: 'newest',
  'C-n': 'next-room',
  'M-right': 'next-room',
  'C-p': 'previous-room',
  'M-left': 'previous-room',
  f2: 'toggle-members',
};

// Printable: no C0/C1 control, no DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Maps a key press (blessed's `ch` and key) to an action. */
export function keyAction(ch: string | undefined, key: KeyEvent): KeyAction {
  const full = key.full ?? key.name ?? '';
  if (key.meta && key.name && /^[1-9]$/.test(key.name))
    return { type: 'room', index: Number(key.name) - 1 };
  const named = NAMED[full] ?? (key.name && !key.ctrl && !key.meta ? NAMED[key.name] : undefined);
  if (named === 'enter' && ch !== undefined && ch !== '\r' && ch !== '\n' && !CONTROL.test(ch))
    return { type: 'insert', text: ch };
  if (named) return { type: named } as KeyAction;
  if (ch !== undefined && ch !== '' && !key.ctrl && !key.meta && !CONTROL.test(ch))
    return { type: 'insert', text: ch };
  return { type: 'none' };
}

/** The keys, as `/help` lists them after the commands. */
export const TUI_KEYS: readonly string[] = [
  '  Alt+1..9            go to the first nine conversations, as listed',
  '  Ctrl+N, Ctrl+P      next, previous conversation (Alt+Right, Alt+Left too)',
  '  Up, Down            recall what you typed',
  '  Tab                 complete a command, a #room or a name',
  '  PageUp, PageDown    scroll; Esc goes back to the newest (and leaves an /edit)',
  '  F2                  show or hide the member list',
  '  Ctrl+C, Ctrl+D      leave',
];
