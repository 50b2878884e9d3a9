/*
 * The fixed lines a person on plain text (`nc`, `telnet`) reads from the
 * server itself: what they see before a session exists, or when it ends.
 * Readable sentences, never frames: a terminal shows them as they are.
 */

import { expandTabs, wrapText } from '@confab/protocol';
import stringWidth from 'string-width';

const encoder = new TextEncoder();

/**
 * The columns plain text is wrapped at, the classic terminal's: on a
 * terminal at least this wide, every row starts where the server says.
 */
export const PLAIN_WIDTH = 80;
/** What a row that goes on with the line above starts with. */
const CONTINUATION = '  ';

/**
 * One line as terminal rows of at most `PLAIN_WIDTH` columns, wrapped by
 * the server rather than the terminal: every row after the first is
 * indented, so nothing a remote user wrote can begin a row at its first
 * column and pass for a line of its own (`[12:00] <admin> …` after 200
 * spaces).
 */
function rows(line: string): string[] {
  const expanded = expandTabs(line, stringWidth);
  if (stringWidth(expanded) <= PLAIN_WIDTH) return [expanded];
  return wrapText(expanded, PLAIN_WIDTH, PLAIN_WIDTH - CONTINUATION.length, stringWidth).map(
    (row, i) => (i === 0 ? row : CONTINUATION + row),
  );
}

/** Lines as a terminal wants them: wrapped at `PLAIN_WIDTH`, CR LF after each row, a block's inner newlines too. */
export function terminalBytes(lines: string[]): Uint8Array {
  const all = lines.join('\n').split('\n').flatMap(rows);
  return encoder.encode(all.join('\r\n') + '\r\n');
}

/** What a silent new connection is told: it is taken for a person waiting to be spoken to. */
export function greetingBytes(serverName: string): Uint8Array {
  return terminalBytes([
    `Welcome to Confab (${serverName}), a chat.`,
    'Type your name and press Enter to join; <quit> leaves.',
  ]);
}

/** Before a name came, the time to type one ran out. */
export const NAME_TIMEOUT_BYTES = terminalBytes([
  'No name came in time, so the connection is closed. Connect again when you are ready.',
]);

/** The server is over its connection limits. */
export const SERVER_FULL_BYTES = terminalBytes([
  '! The server is full; try again later (server_full).',
]);

/** The last words to a reader dropped for reading too slowly. */
export const SLOW_CONSUMER_BYTES = terminalBytes([
  '! You read too slowly: disconnected (slow_consumer).',
]);
