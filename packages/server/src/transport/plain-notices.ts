/*
 * The fixed lines a person on plain text (`nc`, `telnet`) reads from the
 * server itself: what they see before a session exists, or when it ends.
 * Readable sentences, never frames: a terminal shows them as they are.
 */

const encoder = new TextEncoder();

/** Lines as a terminal wants them: CR LF after each, a block's inner newlines too. */
export function terminalBytes(lines: string[]): Uint8Array {
  return encoder.encode(lines.join('\n').replace(/\n/g, '\r\n') + '\r\n');
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
