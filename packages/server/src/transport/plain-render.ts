import type { MessageFrame, ServerFrame } from '@confab/protocol';
import { SERVER_SHUTDOWN_REASON, escapeControls, foldName, foldRoom } from '@confab/protocol';

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

/** Remote text made inert for a terminal, on one line. */
function inert(text: string): string {
  return escapeControls(text, { singleLine: true });
}

/** Remote text made inert, its own line breaks (LF, CR LF) kept as indented continuation lines. */
function inertBlock(text: string): string {
  return escapeControls(text.replace(/\r\n/g, '\n')).split('\n').join('\n  ');
}

/** `[HH:MM]` in UTC. */
export function clockTime(ts: number): string {
  const date = new Date(ts);
  return `[${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}]`;
}

function isSelf(view: PlainView, name: string): boolean {
  return view.name !== undefined && foldName(view.name) === foldName(name);
}

function renderMessage(frame: MessageFrame, view: PlainView): string {
  const time = clockTime(frame.ts);
  const from = inert(frame.from);
  const text = inertBlock(frame.text);
  if (frame.to !== undefined) {
    const arrow = isSelf(view, frame.from) ? `-> *${inert(frame.to)}*` : `*${from}*`;
    return frame.action ? `${time} ${arrow} * ${from} ${text}` : `${time} ${arrow} ${text}`;
  }
  const where =
    frame.room !== undefined && foldRoom(frame.room) !== foldRoom(view.room)
      ? ` ${frame.room}`
      : '';
  return frame.action ? `${time}${where} * ${from} ${text}` : `${time}${where} <${from}> ${text}`;
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
      return [
        `* ${isSelf(view, frame.name) ? 'You' : inert(frame.name)} left ${frame.room}${LEAVE_NOTES[frame.reason] ?? ''}`,
      ];
    case 'message':
      return [renderMessage(frame, view)];
    case 'history':
      return frame.messages.map((m) => renderMessage(m, view));
    case 'names':
      return [`* In ${frame.room}: ${frame.names.map(inert).join(', ')}`];
    case 'nick':
      return [
        isSelf(view, frame.name)
          ? `* You are now known as ${inert(frame.name)}`
          : `* ${inert(frame.old)} is now known as ${inert(frame.name)}`,
      ];
    case 'error':
      return [`! ${inert(frame.message)}`];
    case 'quit':
      return [
        frame.reason === SERVER_SHUTDOWN_REASON ? '* The server is shutting down. Bye.' : '* Bye.',
      ];
    case 'ack':
    case 'ping':
    case 'pong':
      return [];
  }
}
