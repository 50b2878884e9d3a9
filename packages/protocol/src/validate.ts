import type { ErrorCode } from './errors.js';
import { isErrorCode } from './errors.js';
import type {
  ClientFrame,
  ClientFrameType,
  HelloFrame,
  LeaveReason,
  MessageFrame,
  ServerFrame,
  ServerFrameType,
  SessionInfo,
} from './frames.js';
import { LIMITS, PROTOCOL_VERSION } from './limits.js';
import { checkName, checkRoom } from './names.js';
import { checkText } from './text.js';

/** A decoded JSON object with a string `type`, not yet validated. */
export type RawFrame = { readonly type: string; readonly [field: string]: unknown };

/** A refusal with its stable wire code, a message for people, and the frame's `ref` if it had one. */
export interface FrameError {
  code: ErrorCode;
  message: string;
  ref?: string;
  /** Extension, on `name_taken`: the name belongs to an account (log in to use it). */
  account?: boolean;
}

/** The result of validating a frame. */
export type Validated<F> = { ok: true; frame: F } | { ok: false; error: FrameError };

/** Options of client-frame validation. */
export interface ValidateOptions {
  /** Maximum bytes of UTF-8 in a text. @default 4096 */
  maxTextBytes?: number;
}

// A validator either returns a frame or throws a Refusal, which never leaves
// this module: it keeps each field check to one line.
class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

function refuse(code: ErrorCode, message: string): never {
  throw new Refusal(code, message);
}

function optionalString(raw: RawFrame, field: string, maxChars: number): string | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) {
    refuse('invalid_field', `${field} must be a string of 1 to ${maxChars} characters`);
  }
  return value;
}

function room(raw: RawFrame): string {
  const check = checkRoom(raw.room);
  if (!check.ok) refuse(raw.room === undefined ? 'invalid_field' : 'room_invalid', check.reason);
  return check.value;
}

function name(raw: RawFrame, field: 'name' | 'to'): string {
  const value = raw[field];
  if (typeof value !== 'string') refuse('invalid_field', `${field} must be a string`);
  const check = checkName(value);
  if (!check.ok) refuse(field === 'to' ? 'no_such_user' : 'name_invalid', check.reason);
  return check.value;
}

function text(raw: RawFrame, maxBytes: number): string {
  const problem = checkText(raw.text, maxBytes);
  if (problem) refuse(problem.code, problem.message);
  return raw.text as string;
}

function action(raw: RawFrame): { action?: boolean } {
  if (raw.action === undefined || raw.action === false) return {};
  if (raw.action !== true) refuse('invalid_field', 'action must be a boolean');
  return { action: true };
}

function positiveInteger(raw: RawFrame, field: string, max: number): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    refuse('invalid_field', `${field} must be an integer from 1 to ${max}`);
  }
  return value as number;
}

function withRef<F extends object>(frame: F, ref: string | undefined): F & { ref?: string } {
  return ref === undefined ? frame : { ...frame, ref };
}

function resume(value: unknown): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('invalid_field', 'resume must be an object of room -> seq');
  }
  const entries = Object.entries(value);
  if (entries.length > LIMITS.maxResumeRooms) {
    refuse('invalid_field', `resume may name at most ${LIMITS.maxResumeRooms} rooms`);
  }
  // A null prototype: no key, not even "__proto__", can reach Object.prototype.
  const result: Record<string, number> = Object.create(null);
  for (const [roomName, seq] of entries) {
    if (!checkRoom(roomName).ok) refuse('room_invalid', `resume names an invalid room`);
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
      refuse('invalid_field', 'resume seq must be an integer of 0 or more');
    }
    result[roomName] = seq as number;
  }
  return result;
}

/** A password field: a string of `min` to the most characters a password may have. */
function password(value: unknown, field: string, min: number): string {
  if (typeof value !== 'string' || value.length < min || value.length > LIMITS.maxPasswordChars)
    refuse(
      'invalid_field',
      `${field} must be a string of ${min} to ${LIMITS.maxPasswordChars} characters`,
    );
  return value;
}

/** A password being set must be long enough to be worth hashing. */
function checkNewPassword(value: string): string {
  if (value.length < LIMITS.minPasswordChars)
    refuse('invalid_field', `a password must be at least ${LIMITS.minPasswordChars} characters`);
  return value;
}

const GUEST_KEY = new RegExp(
  `^[A-Za-z0-9_-]{${LIMITS.minGuestKeyChars},${LIMITS.maxGuestKeyChars}}$`,
);

function guestKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !GUEST_KEY.test(value)) {
    refuse(
      'invalid_field',
      `guest must be ${LIMITS.minGuestKeyChars} to ${LIMITS.maxGuestKeyChars} characters of A-Z a-z 0-9 - _`,
    );
  }
  return value;
}

type ClientValidator = (raw: RawFrame, options: Required<ValidateOptions>) => ClientFrame;

const CLIENT_VALIDATORS: Record<ClientFrameType, ClientValidator> = {
  hello(raw) {
    const version = raw.version;
    if (typeof version !== 'number' || !Number.isInteger(version)) {
      refuse('invalid_field', 'version must be an integer (1)');
    }
    if (version !== PROTOCOL_VERSION) {
      refuse('unsupported_version', `this server speaks protocol version ${PROTOCOL_VERSION}`);
    }
    const frame: HelloFrame = { type: 'hello', version, name: name(raw, 'name') };
    const client = optionalString(raw, 'client', LIMITS.maxClientChars);
    if (client !== undefined) frame.client = client;
    const resumeMap = resume(raw.resume);
    if (resumeMap !== undefined) frame.resume = resumeMap;
    const guest = guestKey(raw.guest);
    if (guest !== undefined) frame.guest = guest;
    if (raw.dseq !== undefined) {
      if (!Number.isSafeInteger(raw.dseq) || (raw.dseq as number) < 0)
        refuse('invalid_field', 'dseq must be an integer of 0 or more');
      frame.dseq = raw.dseq as number;
    }
    if (raw.password !== undefined) frame.password = password(raw.password, 'password', 1);
    const token = optionalString(raw, 'token', LIMITS.maxTokenChars);
    if (token !== undefined) frame.token = token;
    if (raw.register !== undefined && raw.register !== false) {
      if (raw.register !== true) refuse('invalid_field', 'register must be a boolean');
      if (frame.password === undefined) refuse('invalid_field', 'register needs a password');
      checkNewPassword(frame.password);
      frame.register = true;
    }
    if (frame.token !== undefined && frame.password !== undefined)
      refuse('invalid_field', 'send a password or a token, not both');
    return frame;
  },
  say: (raw, o) =>
    withRef(
      { type: 'say', room: room(raw), text: text(raw, o.maxTextBytes), ...action(raw) },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  dm: (raw, o) =>
    withRef(
      { type: 'dm', to: name(raw, 'to'), text: text(raw, o.maxTextBytes), ...action(raw) },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  join: (raw) => ({ type: 'join', room: room(raw) }),
  part: (raw) => ({ type: 'part', room: room(raw) }),
  nick: (raw) => ({ type: 'nick', name: name(raw, 'name') }),
  who: (raw) => ({ type: 'who', room: room(raw) }),
  history(raw) {
    const before = positiveInteger(raw, 'before', Number.MAX_SAFE_INTEGER);
    const limit = positiveInteger(raw, 'limit', LIMITS.maxHistoryLimit);
    return {
      type: 'history',
      room: room(raw),
      ...(before === undefined ? {} : { before }),
      ...(limit === undefined ? {} : { limit }),
    };
  },
  ping: (raw) => withRef({ type: 'ping' }, optionalString(raw, 'ref', LIMITS.maxRefChars)),
  pong: (raw) => withRef({ type: 'pong' }, optionalString(raw, 'ref', LIMITS.maxRefChars)),
  quit(raw) {
    const reason = optionalString(raw, 'reason', LIMITS.maxReasonChars);
    return reason === undefined ? { type: 'quit' } : { type: 'quit', reason };
  },
  register: (raw) =>
    withRef(
      { type: 'register', password: checkNewPassword(password(raw.password, 'password', 1)) },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  password: (raw) =>
    withRef(
      {
        type: 'password',
        current: password(raw.current, 'current', 1),
        password: checkNewPassword(password(raw.password, 'password', 1)),
      },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  logout: () => ({ type: 'logout' }),
  sessions: () => ({ type: 'sessions' }),
  revoke(raw) {
    const id = optionalString(raw, 'id', LIMITS.maxTokenChars);
    if (id === undefined) refuse('invalid_field', 'id must name a session');
    return withRef({ type: 'revoke', id }, optionalString(raw, 'ref', LIMITS.maxRefChars));
  },
};

/** The frame's `ref` when it is one we could echo back, for error replies. */
function refOf(raw: RawFrame): string | undefined {
  const ref = raw.ref;
  return typeof ref === 'string' && ref.length > 0 && ref.length <= LIMITS.maxRefChars
    ? ref
    : undefined;
}

/**
 * Validates a frame a client sent. The result holds only known fields, copied
 * from the input (so unknown fields, `__proto__` included, are dropped), with
 * names in NFC. A refusal carries its stable code and the frame's `ref`.
 */
export function validateClientFrame(
  raw: RawFrame,
  options: ValidateOptions = {},
): Validated<ClientFrame> {
  const validator = Object.hasOwn(CLIENT_VALIDATORS, raw.type)
    ? CLIENT_VALIDATORS[raw.type as ClientFrameType]
    : undefined;
  const ref = refOf(raw);
  if (!validator) {
    return {
      ok: false,
      error: withRef({ code: 'unknown_type', message: `unknown frame type` }, ref),
    };
  }
  try {
    const frame = validator(raw, { maxTextBytes: options.maxTextBytes ?? LIMITS.maxTextBytes });
    return { ok: true, frame };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return {
      ok: false,
      error: withRef({ code: error.code, message: error.message }, ref),
    };
  }
}

// --- Server frames, as a client checks them -------------------------------
//
// A client trusts the server's rules less strictly: it checks shapes (so the
// view never meets a missing field) but not lengths the server enforces.

const LEAVE_REASONS: ReadonlySet<string> = new Set<LeaveReason>([
  'quit',
  'part',
  'disconnected',
  'timeout',
  'kicked',
]);

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}
function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function checkMessage(raw: Record<string, unknown>): MessageFrame | undefined {
  if (raw.type !== 'message' || !isString(raw.id) || !isString(raw.from)) return undefined;
  if (!isString(raw.text) || !isTime(raw.ts)) return undefined;
  const frame: MessageFrame = {
    type: 'message',
    id: raw.id,
    from: raw.from,
    text: raw.text,
    ts: raw.ts,
  };
  if (raw.room !== undefined) {
    if (!isString(raw.room) || !isSeq(raw.seq)) return undefined;
    frame.room = raw.room;
    frame.seq = raw.seq;
  } else if (isString(raw.to)) {
    frame.to = raw.to;
    if (isSeq(raw.dseq)) frame.dseq = raw.dseq;
  } else return undefined;
  if (raw.action === true) frame.action = true;
  return frame;
}

/** The messages of a page, each checked; undefined when one is malformed. */
function checkMessages(items: unknown): MessageFrame[] | undefined {
  if (!Array.isArray(items)) return undefined;
  const messages: MessageFrame[] = [];
  for (const item of items) {
    const message = typeof item === 'object' && item !== null ? checkMessage(item) : undefined;
    if (!message) return undefined;
    messages.push(message);
  }
  return messages;
}

type ServerCheck = (raw: RawFrame) => ServerFrame | undefined;

const SERVER_CHECKS: Record<ServerFrameType, ServerCheck> = {
  welcome: (r) =>
    isString(r.name) && isString(r.text) && isStringArray(r.rooms) && typeof r.version === 'number'
      ? {
          type: 'welcome',
          version: r.version,
          name: r.name,
          text: r.text,
          rooms: r.rooms,
          server: isString(r.server) ? r.server : '',
          ...(isString(r.account) ? { account: r.account } : {}),
          ...(isString(r.token) ? { token: r.token } : {}),
        }
      : undefined,
  account: (r) =>
    isString(r.name)
      ? {
          type: 'account',
          name: r.name,
          ...(isString(r.token) ? { token: r.token } : {}),
          ...(isString(r.ref) ? { ref: r.ref } : {}),
        }
      : undefined,
  sessions(r) {
    if (!Array.isArray(r.sessions)) return undefined;
    const sessions: SessionInfo[] = [];
    for (const item of r.sessions as unknown[]) {
      if (typeof item !== 'object' || item === null) return undefined;
      const s = item as Record<string, unknown>;
      if (!isString(s.id) || !isString(s.client) || !isTime(s.created) || !isTime(s.seen))
        return undefined;
      sessions.push({
        id: s.id,
        client: s.client,
        created: s.created,
        seen: s.seen,
        current: s.current === true,
      });
    }
    return { type: 'sessions', sessions, ...(r.more === true ? { more: true } : {}) };
  },
  joined: (r) =>
    isString(r.room) && isString(r.name) && isTime(r.ts)
      ? { type: 'joined', room: r.room, name: r.name, ts: r.ts }
      : undefined,
  left: (r) =>
    isString(r.room) && isString(r.name) && isTime(r.ts)
      ? {
          type: 'left',
          room: r.room,
          name: r.name,
          ts: r.ts,
          reason:
            isString(r.reason) && LEAVE_REASONS.has(r.reason)
              ? (r.reason as LeaveReason)
              : 'disconnected',
        }
      : undefined,
  message: (r) => checkMessage(r),
  ack: (r) =>
    isString(r.ref) && isString(r.id) && isTime(r.ts)
      ? { type: 'ack', ref: r.ref, id: r.id, ts: r.ts, ...(isSeq(r.seq) ? { seq: r.seq } : {}) }
      : undefined,
  names: (r) =>
    isString(r.room) && isStringArray(r.names)
      ? { type: 'names', room: r.room, names: r.names, ...(r.more === true ? { more: true } : {}) }
      : undefined,
  history(r) {
    const messages = checkMessages(r.messages);
    if (!isString(r.room) || !messages) return undefined;
    return { type: 'history', room: r.room, messages, more: r.more === true };
  },
  dm_history(r) {
    const messages = checkMessages(r.messages);
    if (!messages || messages.some((m) => m.to === undefined)) return undefined;
    return { type: 'dm_history', messages, more: r.more === true };
  },
  nick: (r) =>
    isString(r.old) && isString(r.name) ? { type: 'nick', old: r.old, name: r.name } : undefined,
  error: (r) =>
    isString(r.message)
      ? {
          type: 'error',
          code: isErrorCode(r.code) ? r.code : 'internal',
          message: r.message,
          ...(isString(r.ref) ? { ref: r.ref } : {}),
          ...(r.account === true ? { account: true } : {}),
        }
      : undefined,
  ping: (r) => (isString(r.ref) ? { type: 'ping', ref: r.ref } : { type: 'ping' }),
  pong: (r) => (isString(r.ref) ? { type: 'pong', ref: r.ref } : { type: 'pong' }),
  quit: (r) => (isString(r.reason) ? { type: 'quit', reason: r.reason } : { type: 'quit' }),
};

/**
 * Checks the shape of a frame a server sent, for clients. Unknown types are
 * `unknown_type` (a client ignores them: a newer server may send more).
 */
export function validateServerFrame(raw: RawFrame): Validated<ServerFrame> {
  if (!Object.hasOwn(SERVER_CHECKS, raw.type)) {
    return { ok: false, error: { code: 'unknown_type', message: `unknown frame type` } };
  }
  const frame = SERVER_CHECKS[raw.type as ServerFrameType](raw);
  return frame
    ? { ok: true, frame }
    : {
        ok: false,
        error: { code: 'invalid_field', message: `${raw.type}: missing or malformed fields` },
      };
}
