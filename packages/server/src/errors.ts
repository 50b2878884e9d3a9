/**
 * Codes of errors inside the server (configuration, startup, storage). They
 * never cross the wire: a failure met while handling a frame is sent as the
 * wire code `internal` (or `unavailable`, from a `ConfabError`).
 */
export const SERVER_ERROR_CODES = {
  config_invalid: 'A flag or environment variable has a value the server cannot use.',
  listen_failed: 'The server could not listen on the address and port asked for.',
  tls_invalid: 'The TLS certificate or key could not be read or does not match.',
  store_open_failed: 'The history database could not be opened.',
  store_write_failed: 'The history database could not write a batch of messages.',
  store_closed: 'A message arrived after the history store was closed (shutdown).',
  redis_unreachable: 'Redis (given with --redis) could not be reached when the server started.',
  redis_not_durable:
    'Redis keeps less of what is written than --redis-durability asks: it could lose acked messages.',
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

/** An error of the server with a stable code. */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
