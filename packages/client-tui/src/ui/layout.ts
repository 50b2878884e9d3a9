import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { SIDE_WIDTH } from '../view/panes.js';

/** The widgets of the chat screen. */
export interface Layout {
  status: Widgets.BoxElement;
  /** The line under the status line: the current room's topic, owner and modes. */
  header: Widgets.BoxElement;
  rooms: Widgets.BoxElement;
  log: Widgets.BoxElement;
  members: Widgets.BoxElement;
  input: Widgets.BoxElement;
  /** A centred box for the connect form and name prompts. */
  dialog: Widgets.BoxElement;
  /** Places the side columns at these widths (0: hidden), under the header line when it shows. */
  arrange(widths: { rooms: number; members: number }, header: boolean): void;
}

/**
 * Status line on top, the room's header line under it, message log in the
 * middle (room list to its left, member list to its right), input line at
 * the bottom. Every box has tags on: remote text reaches them only through
 * `safeText`.
 */
export function createLayout(screen: Widgets.Screen): Layout {
  const status = blessed.box({
    parent: screen,
    top: 0,
    left: 0,
    width: '100%',
    height: 1,
    tags: true,
    style: { bg: 'blue', fg: 'white' },
  });
  const header = blessed.box({
    parent: screen,
    top: 1,
    left: 0,
    width: '100%',
    height: 1,
    tags: true,
    hidden: true,
  });
  const rooms = blessed.box({
    parent: screen,
    top: 1,
    left: 0,
    width: SIDE_WIDTH,
    bottom: 1,
    tags: true,
    label: ' rooms ',
    border: { type: 'line' },
    style: { border: { fg: 'gray' } },
    hidden: true,
  });
  const log = blessed.box({
    parent: screen,
    top: 1,
    left: 0,
    right: 0,
    bottom: 1,
    tags: true,
    scrollable: true,
    alwaysScroll: true,
    mouse: true,
    // Lines come wrapped to the log's width (formatEntry): blessed's own
    // wrapping miscounts tagged text and would break them again.
    wrap: false,
    scrollbar: { ch: ' ', style: { bg: 'gray' } },
  });
  const members = blessed.box({
    parent: screen,
    top: 1,
    right: 0,
    width: SIDE_WIDTH,
    bottom: 1,
    tags: true,
    label: ' members ',
    border: { type: 'line' },
    style: { border: { fg: 'gray' } },
    scrollable: true,
    mouse: true,
    hidden: true,
  });
  const input = blessed.box({
    parent: screen,
    bottom: 0,
    left: 0,
    width: '100%',
    height: 1,
    tags: true,
  });
  const dialog = blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width: 60,
    height: 9,
    tags: true,
    border: { type: 'line' },
    label: ' Connect to Confab ',
    style: { border: { fg: 'cyan' } },
    hidden: true,
  });
  return {
    status,
    header,
    rooms,
    log,
    members,
    input,
    dialog,
    arrange(widths, withHeader) {
      header.hidden = !withHeader;
      const top = withHeader ? 2 : 1;
      rooms.top = top;
      log.top = top;
      members.top = top;
      rooms.hidden = widths.rooms === 0;
      members.hidden = widths.members === 0;
      if (widths.rooms > 0) rooms.width = widths.rooms;
      if (widths.members > 0) members.width = widths.members;
      log.left = widths.rooms;
      log.right = widths.members;
    },
  };
}
