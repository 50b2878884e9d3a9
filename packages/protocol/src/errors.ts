/**
 * Wire error codes. Stable: clients switch on these strings, so a code is
 * never renamed or reused. Only the code and a safe message cross the wire.
 */
export const ERROR_CODES = {
  bad_frame: {
    closes: false,
    doc: 'The line is not UTF-8, not JSON, or not an object with a string `type`; or a WebSocket message is binary.',
  },
  frame_too_large: {
    closes: true,
    doc: 'A frame exceeds the maximum frame size (65,536 bytes with its line ending, by default).',
  },
  unknown_type: { closes: false, doc: 'The frame `type` is not one this server knows.' },
  invalid_field: {
    closes: false,
    doc: 'A field is missing, of the wrong type, or out of range (the message names it).',
  },
  not_registered: {
    closes: false,
    doc: 'Only `hello`, `ping`, `pong` and `quit` are allowed before `welcome`.',
  },
  already_registered: {
    closes: false,
    doc: '`hello` was sent on a connection that is already registered.',
  },
  unsupported_version: {
    closes: true,
    doc: 'The `hello` asks for a protocol version this server does not speak.',
  },
  name_invalid: {
    closes: false,
    doc: 'The name breaks the naming rules; send `hello` or `nick` again with another.',
  },
  name_taken: { closes: false, doc: 'Another user has this name (ignoring case); try another.' },
  room_invalid: { closes: false, doc: 'The room name breaks the room rules.' },
  not_in_room: { closes: false, doc: 'The user is not a member of that room.' },
  no_such_user: { closes: false, doc: 'No user of that name is online.' },
  text_too_long: {
    closes: false,
    doc: 'The text exceeds the maximum text size (4,096 bytes of UTF-8, by default).',
  },
  rate_limited: {
    closes: false,
    doc: 'Too many frames too fast; the frame was not handled. Slow down and send it again.',
  },
  slow_consumer: {
    closes: true,
    doc: 'The client reads too slowly: its outbound buffer passed the bound.',
  },
  handshake_timeout: { closes: true, doc: 'No valid `hello` arrived in time after connecting.' },
  server_full: {
    closes: true,
    doc: 'The server has no room for this connection (in total or for this address).',
  },
  unavailable: {
    closes: false,
    doc: 'Extension: the server cannot store messages or reach its cluster right now (Redis or the history store is out of reach); the frame was not handled, send it again later. Clients retry a refused `hello` with backoff.',
  },
  mailbox_full: {
    closes: false,
    doc: 'Extension: the recipient is away and has as many messages waiting as their mailbox takes (from everyone, or from you): the direct message was not kept. Try again once they have been back.',
  },
  auth_failed: {
    closes: false,
    doc: 'Extension: the name and password, or the session token, do not log in (a wrong password and an unknown name read the same); send `hello` again.',
  },
  auth_required: {
    closes: false,
    doc: 'Extension: this needs an account: the server takes no guests, or the frame is for logged-in users only.',
  },
  accounts_off: {
    closes: false,
    doc: 'Extension: this server has no accounts (`--accounts off`).',
  },
  not_allowed: {
    closes: false,
    doc: 'Extension: you may not do this here: it takes a role you do not have (owner, moderator, operator), or it cannot be done to that person (a role for a guest, a ban of the owner).',
  },
  banned: {
    closes: false,
    doc: 'Extension: you are banned from this room; or, from the server, and the connection closes after it.',
  },
  invite_only: {
    closes: false,
    doc: 'Extension: the room is invite-only and you have no invitation.',
  },
  muted: {
    closes: false,
    doc: 'Extension: you may not speak in this room: you are muted, or the room is moderated and you have no voice.',
  },
  room_closed: {
    closes: false,
    doc: 'Extension: an operator closed this room: no one may join it.',
  },
  no_such_message: {
    closes: false,
    doc: 'Extension: the message answered (`reply_to`), reacted to, edited or deleted is not one you can see there: not in that room or conversation, deleted, or no longer kept.',
  },
  too_many_reactions: {
    closes: false,
    doc: 'Extension: the message carries as many different reactions as it may (20): react with one it has.',
  },
  internal: {
    closes: false,
    doc: 'Something went wrong in the server; the frame may not have been handled.',
  },
} as const satisfies Record<string, { closes: boolean; doc: string }>;

/** A wire error code (stable). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every wire error code, in documentation order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** Whether the server closes the connection after sending this error. */
export function errorCloses(code: ErrorCode): boolean {
  return ERROR_CODES[code].closes;
}

/** True when `value` is a known wire error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * An error carrying a stable wire code. Thrown only inside the process (never
 * for network input, which yields results instead); unknown failures are
 * wrapped as `internal` with the original as `cause`.
 */
export class ConfabError extends Error {
  override readonly name = 'ConfabError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Wraps anything thrown into a ConfabError, keeping coded errors as they are. */
  static from(error: unknown): ConfabError {
    if (error instanceof ConfabError) return error;
    return new ConfabError('internal', 'internal error', { cause: error });
  }
}
