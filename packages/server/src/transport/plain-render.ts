import type { ErrorCode, ErrorFrame, MessageFrame, ServerFrame } from '@confab/protocol';
import {
  SERVER_SHUTDOWN_REASON,
  bansText,
  escapeControls,
  foldName,
  foldRoom,
  hitText,
  modText,
  modlogText,
  removedText,
  roomText,
  roomsText,
  usersText,
} from '@confab/protocol';

/** What the renderer needs to know of the person reading. */
export interface PlainView {
  /** Their name, once registered. */
  name: string | undefined;
  /** The room plain lines go to. */
  room: string;
}

const LEAVE_NOTES: Record<string, string> = {
  quit: ' (quit)',
  part: '',
  disconnected: ' (disconnected)',
  timeout: ' (timed out)',
  kicked: ' (removed)',
};

/** How a member list marks roles, as IRC users expect: `@` owner and moderators, `+` voice. */
const ROLE_MARKS: Record<string, string> = { owner: '@', moderator: '@', voice: '+' };

/** Remote text made inert for a terminal, on one line. */
function inert(text: string): string {
  return escapeControls(text, { singleLine: true });
}

/** Remote text made inert, its own line breaks (LF, CR LF) kept as indented continuation lines. */
function inertBlock(text: string): string {
  return escapeControls(text.replace(/\r\n/g, '\n')).split('\n').join('\n  ');
}

/** An error message as a sentence: a capital first, a full stop last. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * How a refusal reads to a person typing lines rather than sending frames:
 * by its code where the server's message speaks of frames, else the message
 * itself as a sentence.
 */
const PLAIN_ERRORS: Partial<Record<ErrorCode, (message: string, frame: ErrorFrame) => string>> = {
  name_taken: (message, frame) => (frame.account ? sentence(message) : 'That name is taken.'),
  name_invalid: (message) => `That name cannot be used (${message}).`,
  handshake_timeout: () =>
    'No name came in time, so the connection is closed. Connect again when you are ready.',
  rate_limited: () =>
    'You are sending too fast: that line was not sent. Wait a moment, then send it again.',
  text_too_long: (message) => `That message is too long, so it was not sent (${message}).`,
  internal: () => 'Something went wrong on the server; that line may not have been handled.',
};

function renderError(frame: ErrorFrame): string {
  const message = inert(frame.message);
  return `! ${PLAIN_ERRORS[frame.code]?.(message, frame) ?? sentence(message)}`;
}

/** `[HH:MM]` in UTC. */
export function clockTime(ts: number): string {
  const date = new Date(ts);
  return `[${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}]`;
}

/** A time with its day (UTC), for a line that may be from long ago: `[2026-12-06 19:30]`. */
function dayTime(ts: number): string {
  return `[${new Date(ts).toISOString().slice(0, 10)} ${clockTime(ts).slice(1)}`;
}

/** What a search found, a line each, newest first; what matched in [brackets]. */
function searchLines(frame: Extract<ServerFrame, { type: 'search_results' }>): string[] {
  const query = inert(frame.query);
  if (frame.hits.length === 0) return [`* Nothing found for ${query}.`];
  const lines = [`* Found for ${query}, newest first:`];
  for (const hit of frame.hits) lines.push(`*   ${hitText(hit, dayTime, inert)}`);
  if (frame.next !== undefined)
    lines.push('* There may be older ones: narrow the search (in:#room, from:name) to see them.');
  return lines;
}

function isSelf(view: PlainView, name: string): boolean {
  return view.name !== undefined && foldName(view.name) === foldName(name);
}

function renderMessage(frame: MessageFrame, view: PlainView): string {
  const time = clockTime(frame.ts);
  const from = inert(frame.from);
  // A reply says first what it answers: `(re bob: start of their text…)`.
  const quoted = frame.reply?.deleted ? 'a message since deleted' : frame.reply?.text;
  const answers = frame.reply ? `(re ${inert(frame.reply.from)}: ${inert(quoted ?? '')}) ` : '';
  if (frame.deleted) return `${time} * A message from ${from} was deleted.`;
  const edited = frame.edited === undefined ? '' : ' (edited)';
  const text = answers + inertBlock(frame.text) + edited;
  if (frame.to !== undefined) {
    const arrow = isSelf(view, frame.from) ? `-> *${inert(frame.to)}*` : `*${from}*`;
    return frame.action ? `${time} ${arrow} * ${from} ${text}` : `${time} ${arrow} ${text}`;
  }
  const where =
    frame.room !== undefined && foldRoom(frame.room) !== foldRoom(view.room)
      ? ` ${frame.room}`
      : '';
  const line = frame.action
    ? `${time}${where} * ${from} ${text}`
    : `${time}${where} <${from}> ${text}`;
  return line + reactionsText(frame);
}

/** The line of an edit: `* ada edited a message: the new text`. */
function editedLine(from: string, text: string): string {
  return `* ${inert(from)} edited a message: ${inertBlock(text)}`;
}

/** The line of a delete, saying who deleted whose message when they differ. */
function deletedLine(from: string, by: string): string {
  return by === from
    ? `* ${inert(from)} deleted a message.`
    : `* ${inert(by)} deleted a message from ${inert(from)}.`;
}

/** A message's reactions after it, as history shows them: ` [👍 3, 🎉 1]`. */
function reactionsText(frame: MessageFrame): string {
  if (!frame.reactions || frame.reactions.length === 0) return '';
  return ` [${frame.reactions.map((r) => `${inert(r.emoji)} ${r.count}`).join(', ')}]`;
}

/**
 * The readable line(s) a plain-text user sees for a server frame, without
 * line endings; none for frames that only machines need (`ack`, `pong`).
 * Everything a remote user wrote goes through `escapeControls`.
 */
export function renderPlain(frame: ServerFrame, view: PlainView): string[] {
  switch (frame.type) {
    case 'welcome':
      return [inert(frame.text), 'Type a line to talk, /help for commands.'];
    case 'joined':
      return [`* ${isSelf(view, frame.name) ? 'You' : inert(frame.name)} joined ${frame.room}`];
    case 'left':
      if (frame.reason === 'kicked' && frame.by !== undefined)
        return [`* ${inert(removedText(frame, (name) => isSelf(view, name)))}`];
      return [
        `* ${isSelf(view, frame.name) ? 'You' : inert(frame.name)} left ${frame.room}${LEAVE_NOTES[frame.reason] ?? ''}`,
      ];
    case 'message':
      return [renderMessage(frame, view)];
    case 'history':
    case 'dm_history':
      return frame.messages.map((m) => renderMessage(m, view));
    case 'names':
      return [
        `* In ${frame.room}: ${frame.names.map((name) => inert(`${ROLE_MARKS[frame.roles?.[name] ?? ''] ?? ''}${name}`)).join(', ')}`,
      ];
    case 'room':
      return roomText(frame).map((line) => `* ${inert(line)}`);
    case 'mod':
      return [`* ${inert(modText(frame, (name) => isSelf(view, name)))}`];
    case 'rooms':
      return roomsText(frame).map((line) => `* ${inert(line)}`);
    case 'bans':
      return bansText(frame).map((line) => `* ${inert(line)}`);
    case 'users':
      return usersText(frame.users).map((line) => `* ${inert(line)}`);
    case 'modlog':
      return modlogText(frame.room, frame.entries).map((line) => `* ${inert(line)}`);
    case 'nick':
      return [
        isSelf(view, frame.name)
          ? `* You are now known as ${inert(frame.name)}`
          : `* ${inert(frame.old)} is now known as ${inert(frame.name)}`,
      ];
    case 'error':
      return [renderError(frame)];
    case 'quit':
      return [
        frame.reason === SERVER_SHUTDOWN_REASON ? '* The server is shutting down. Bye.' : '* Bye.',
      ];
    case 'account':
      return [`* You are logged in as ${inert(frame.name)}: the name is yours from now on.`];
    case 'sessions':
      return [
        `* Your sessions (/revoke ID logs one out):`,
        ...frame.sessions.map(
          (s) =>
            `*   ${inert(s.id)}  ${inert(s.client)}, last used ${clockTime(s.seen)}${s.current ? ' (this one)' : ''}`,
        ),
      ];
    case 'ack':
    case 'ping':
    case 'pong':
    case 'read': // never sent to plain text, which keeps no read markers
    case 'read_markers':
    case 'typing': // never sent to plain text, which does not ask for the feature
    case 'reaction':
      return [];
    // A change that came while the room's history was being sent: as it would have live.
    case 'update':
      if (frame.deleted) return [deletedLine(frame.from, frame.deleted_by ?? frame.from)];
      return frame.text === undefined ? [] : [editedLine(frame.from, frame.text)];
    case 'edited':
      return [editedLine(frame.from, frame.text)];
    case 'deleted':
      return [deletedLine(frame.from, frame.deleted_by)];
    case 'search_results':
      return searchLines(frame);
  }
}
