import stringWidth from 'string-width';
import type { ClientStatus, Conversation } from '@confab/protocol';
import { typingText } from '@confab/protocol';
import { escapeTags, safeText } from './safe-text.js';

/** What the status line shows. */
export interface StatusState {
  server: string;
  secure: boolean;
  status: ClientStatus;
  name: string;
  /** Logged in to an account (else a guest). */
  account: boolean;
  current: Conversation | undefined;
  /** Milliseconds until the next reconnect attempt, while reconnecting. */
  reconnectInMs: number;
  /** Scrolled up from the newest line: how many new lines wait below. */
  newBelow: number;
  /** Who is typing in the current conversation. */
  typing: readonly string[];
  /** Messages unread in the other conversations, and how many of them are mentions (or direct). */
  unreadElsewhere: number;
  mentionsElsewhere: number;
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
  // Unread in other conversations: seen even when the room list is hidden (a narrow terminal).
  const elsewhere =
    state.unreadElsewhere === 0
      ? ''
      : state.mentionsElsewhere > 0
        ? `  {yellow-fg}${state.unreadElsewhere} unread elsewhere (${state.mentionsElsewhere}!){/yellow-fg}`
        : `  {cyan-fg}${state.unreadElsewhere} unread elsewhere{/cyan-fg}`;
  const typing =
    state.typing.length > 0
      ? `  {gray-fg}${safeText(typingText(state.typing), { singleLine: true })}{/gray-fg}`
      : '';
  const who = state.name
    ? `${safeText(state.name, { singleLine: true })} {gray-fg}${state.account ? '(account)' : '(guest)'}{/gray-fg}`
    : '';
  return ` {bold}confab{/bold}  ${escapeTags(state.server)}${lock}  │  {bold}${where}{/bold}  │  ${connection}  │  ${who}${below}${elsewhere}${typing}`;
}

/** `text` cut to `width` columns, with `…` where it was cut. */
export function fitColumns(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * The room list: one line per conversation, the current one marked, with
 * unread counts. A title is cut to leave room for its count, so each entry
 * stays on one line of a `width`-column list.
 */
export function conversationLines(
  conversations: Conversation[],
  currentKey: string | undefined,
  width = Number.POSITIVE_INFINITY,
): string[] {
  return conversations.map((c, i) => {
    const count = c.unread > 0 ? (c.mentions > 0 ? `(${c.unread}!)` : `(${c.unread})`) : '';
    const room = width - 2 - (count ? count.length + 1 : 0);
    const title = safeText(fitColumns(c.title, room), { singleLine: true });
    const unread = count
      ? c.mentions > 0
        ? ` {yellow-fg}${count}{/yellow-fg}`
        : ` {cyan-fg}${count}{/cyan-fg}`
      : '';
    const marker = c.key === currentKey ? '{inverse}' : '';
    const end = c.key === currentKey ? '{/inverse}' : '';
    const shortcut = i < 9 ? `{gray-fg}${i + 1}{/gray-fg} ` : '  ';
    return `${shortcut}${marker}${title}${end}${unread}`;
  });
}
