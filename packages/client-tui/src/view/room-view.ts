import type { Conversation, RoomConversation, RoomRole } from '@confab/protocol';
import { foldName, modesWords } from '@confab/protocol';
import stringWidth from 'string-width';
import { nameColour } from './colors.js';
import { escapeControls } from '@confab/protocol';
import { escapeTags } from './safe-text.js';
import { fitColumns } from './status.js';

/** How the member list marks roles, as IRC users expect: `@` owner and moderators, `+` voice. */
const ROLE_MARKS: Record<Exclude<RoomRole, 'member'>, string> = {
  owner: '@',
  moderator: '@',
  voice: '+',
};

/** Remote text made inert, then cut to `width` columns (as shown), then its tag braces escaped. */
function fitSafe(text: string, width: number): string {
  return escapeTags(fitColumns(escapeControls(text, { singleLine: true }), width));
}

/** The member list's order: the owner, moderators, voice, then everyone else. */
const ROLE_ORDER: Record<RoomRole, number> = { owner: 0, moderator: 1, voice: 2, member: 3 };

/** A room's members with their roles, in the member list's order (by role, then by name). */
export function membersByRole(room: RoomConversation): Array<{ name: string; role: RoomRole }> {
  return room.members
    .map((name) => ({ name, role: room.roles.get(foldName(name)) ?? ('member' as RoomRole) }))
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
}

/** The member list's lines: each name in its colour, its role's mark before it, cut to `width`. */
export function memberLines(room: RoomConversation, width: number): string[] {
  return membersByRole(room).map(({ name, role }) => {
    const mark = role === 'member' ? ' ' : ROLE_MARKS[role];
    const colour = nameColour(name);
    const shown = fitSafe(name, width - 1);
    return `{bold}${mark}{/bold}{${colour}-fg}${shown}{/${colour}-fg}`;
  });
}

/**
 * The line under the status line: for a room, its topic, then whose it is
 * and its modes; for a direct conversation, who it is with. It fits
 * `width` columns: the topic is cut first.
 */
export function headerLine(current: Conversation | undefined, width: number): string {
  if (!current) return '';
  if (current.target.kind === 'dm')
    return ` {gray-fg}direct messages with{/gray-fg} ${fitSafe(current.title, width - 24)}`;
  const state = (current as RoomConversation).state;
  if (!state) return '';
  const owner = state.operators
    ? "owned by the server's operators"
    : state.owner
      ? `owned by ${state.owner}`
      : 'no owner (/claim)';
  const about = fitColumns(
    escapeControls(`${owner} · ${state.closed ? 'closed' : modesWords(state)}`, {
      singleLine: true,
    }),
    Math.max(12, width - 14),
  );
  const aboutTag = `{gray-fg}${escapeTags(about)}{/gray-fg}`;
  const room = Math.max(0, width - 1 - stringWidth(about) - 5);
  const topic =
    state.topic === undefined
      ? `{gray-fg}${fitColumns('no topic', room)}{/gray-fg}`
      : `{bold}${fitSafe(state.topic, room)}{/bold}`;
  return ` ${topic}  {gray-fg}·{/gray-fg}  ${aboutTag}`;
}
