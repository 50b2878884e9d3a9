import type { ClientStatus, Conversation } from '@confab/protocol';
import { escapeTags, safeText } from './safe-text.js';

/** What the status line shows. */
export interface StatusState {
  server: string;
  secure: boolean;
  status: ClientStatus;
  name: string;
  current: Conversation | undefined;
  /** Milliseconds until the next reconnect attempt, while reconnecting. */
  reconnectInMs: number;
  /** Scrolled up from the newest line: how many new lines wait below. */
  newBelow: number;
}

const STATUS_WORDS: Record<ClientStatus, string> = {
  connecting: '{yellow-fg}connecting…{/yellow-fg}',
  awaiting_welcome: '{yellow-fg}signing in…{/yellow-fg}',
  awaiting_name: '{yellow-fg}choose a name{/yellow-fg}',
  registered: '{green-fg}● connected{/green-fg}',
  reconnecting: '{red-fg}reconnecting{/red-fg}',
  quitting: '{yellow-fg}leaving…{/yellow-fg}',
  closed: '{red-fg}closed{/red-fg}',
};

/** The status line: server, conversation, connection state, name. */
export function statusLine(state: StatusState): string {
  const where = state.current ? safeText(state.current.title, { singleLine: true }) : '-';
  let connection = STATUS_WORDS[state.status];
  if (state.status === 'reconnecting') {
    connection = `{red-fg}link lost: reconnecting in ${Math.max(0, Math.ceil(state.reconnectInMs / 1000))}s{/red-fg}`;
  }
  const lock = state.secure ? ' (TLS)' : '';
  const below = state.newBelow > 0 ? `  {yellow-fg}↓ ${state.newBelow} new{/yellow-fg}` : '';
  return ` {bold}confab{/bold}  ${escapeTags(state.server)}${lock}  │  {bold}${where}{/bold}  │  ${connection}  │  ${safeText(state.name, { singleLine: true })}${below}`;
}

/** The room list: one line per conversation, the current one marked, with unread counts. */
export function conversationLines(
  conversations: Conversation[],
  currentKey: string | undefined,
): string[] {
  return conversations.map((c, i) => {
    const title = safeText(c.title, { singleLine: true });
    const unread =
      c.unread > 0
        ? c.mentions > 0
          ? ` {yellow-fg}(${c.unread}!){/yellow-fg}`
          : ` {cyan-fg}(${c.unread}){/cyan-fg}`
        : '';
    const marker = c.key === currentKey ? '{inverse}' : '';
    const end = c.key === currentKey ? '{/inverse}' : '';
    const shortcut = i < 9 ? `{gray-fg}${i + 1}{/gray-fg} ` : '  ';
    return `${shortcut}${marker}${title}${end}${unread}`;
  });
}
