/** Width of a side pane (the room list, the member list) where there is room. */
export const SIDE_WIDTH = 20;
/** Width of a side pane on a narrow screen. */
export const NARROW_SIDE_WIDTH = 14;
/** Columns the chat keeps before a side pane gives way. */
export const MIN_CHAT_WIDTH = 60;

/** What the side panes would show. */
export interface PaneWish {
  /** The room list: there is more than one conversation. */
  rooms: boolean;
  /** The member list: the current conversation is a room, and the list is not hidden. */
  members: boolean;
  /** The user asked for the member list (F2): it stays, narrow, however narrow the screen. */
  membersAsked: boolean;
}

/**
 * The widths of the side panes (0: hidden) on a screen `screen` columns
 * wide. The chat keeps at least MIN_CHAT_WIDTH columns: the panes narrow
 * first, then the member list goes (unless asked for), then the room list.
 */
export function paneWidths(screen: number, wish: PaneWish): { rooms: number; members: number } {
  let { rooms, members } = wish;
  const side = (): number | undefined => {
    const panes = Number(rooms) + Number(members);
    for (const width of [SIDE_WIDTH, NARROW_SIDE_WIDTH])
      if (screen - panes * width >= MIN_CHAT_WIDTH) return width;
    return undefined;
  };
  let width = side();
  if (width === undefined && members && !wish.membersAsked) {
    members = false;
    width = side();
  }
  if (width === undefined && rooms) {
    rooms = false;
    width = side();
  }
  width ??= NARROW_SIDE_WIDTH;
  return { rooms: rooms ? width : 0, members: members ? width : 0 };
}
