import type { ErrorCode } from './errors.js';
import { isErrorCode } from './errors.js';
import type {
  ChangedPlace,
  SearchHit,
  SnippetPart,
  MessagePlace,
  BanInfo,
  ClientFrame,
  ClientFrameType,
  HelloFrame,
  LeaveReason,
  LeftFrame,
  MessageFrame,
  ModAction,
  ModFrame,
  ModlogEntry,
  RoomListing,
  RoomModes,
  RoomRole,
  ServerFrame,
  ServerFrameType,
  SessionInfo,
  UserInfo,
} from './frames.js';
import { LIMITS, PROTOCOL_VERSION } from './limits.js';
import { checkName, checkRoom } from './names.js';
import { checkText } from './text.js';
import type { ReactionCount } from './reactions.js';
import { isReaction, reactionProblem } from './reactions.js';
import { searchProblem } from './search.js';

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

function name(raw: RawFrame, field: 'name' | 'to' | 'with' | 'from'): string {
  const value = raw[field];
  if (typeof value !== 'string') refuse('invalid_field', `${field} must be a string`);
  const check = checkName(value);
  if (!check.ok)
    refuse(
      field === 'to' ? 'no_such_user' : field === 'name' ? 'name_invalid' : 'invalid_field',
      check.reason,
    );
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

/** `id`: the message a frame acts on. */
function messageId(raw: RawFrame): string {
  const id = optionalString(raw, 'id', LIMITS.maxRefChars);
  if (id === undefined) refuse('invalid_field', `${raw.type} needs the id of a message`);
  return id;
}

/** Where a message to change is: `room`, or `dm: true` for one of the user's direct messages. */
function messagePlace(raw: RawFrame): MessagePlace {
  if (raw.dm !== undefined && raw.dm !== true) refuse('invalid_field', 'dm must be true');
  if ((raw.room === undefined) === (raw.dm === undefined))
    refuse('invalid_field', `${raw.type} needs a room, or dm: true for a direct message`);
  return raw.dm === true ? { dm: true } : { room: room(raw) };
}

/** `reply_to`: a message id, as the server makes them (short, no controls). */
function replyTo(raw: RawFrame): { reply_to?: string } {
  const id = optionalString(raw, 'reply_to', LIMITS.maxRefChars);
  return id === undefined ? {} : { reply_to: id };
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

/** `resume` (room -> seq) or `revs` (room -> rev): a bounded map of rooms to numbers. */
function roomNumbers(
  value: unknown,
  field: 'resume' | 'revs',
  number: 'seq' | 'rev',
): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('invalid_field', `${field} must be an object of room -> ${number}`);
  }
  const entries = Object.entries(value);
  if (entries.length > LIMITS.maxResumeRooms) {
    refuse('invalid_field', `${field} may name at most ${LIMITS.maxResumeRooms} rooms`);
  }
  // A null prototype: no key, not even "__proto__", can reach Object.prototype.
  const result: Record<string, number> = Object.create(null);
  for (const [roomName, seq] of entries) {
    if (!checkRoom(roomName).ok) refuse('room_invalid', `${field} names an invalid room`);
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
      refuse('invalid_field', `${field} ${number} must be an integer of 0 or more`);
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

/** `hello.features`: an array of short strings; unknown ones are kept (the server ignores them). */
function features(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > LIMITS.maxFeatures ||
    !value.every((f) => typeof f === 'string' && f.length > 0 && f.length <= LIMITS.maxFeatureChars)
  )
    refuse(
      'invalid_field',
      `features must be an array of at most ${LIMITS.maxFeatures} strings of 1 to ${LIMITS.maxFeatureChars} characters`,
    );
  return [...(value as string[])];
}

/** A person a moderation frame acts on: a bad name can be no one's (`no_such_user`). */
function target(raw: RawFrame): string {
  const value = raw.name;
  if (typeof value !== 'string') refuse('invalid_field', 'name must be a string');
  const check = checkName(value);
  if (!check.ok) refuse('no_such_user', `no one is called that: ${check.reason}`);
  return check.value;
}

/** An optional room, for frames that act on the server when it is absent. */
function optionalRoom(raw: RawFrame): { room?: string } {
  return raw.room === undefined ? {} : { room: room(raw) };
}

const ROLES: ReadonlySet<string> = new Set<RoomRole>(['owner', 'moderator', 'voice', 'member']);
const MODES: ReadonlyArray<keyof RoomModes> = [
  'invite_only',
  'secret',
  'moderated',
  'topic_locked',
];

/** An IP address as text (IPv4 dotted or IPv6 hex); the server checks it further. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

function address(raw: RawFrame): { address?: string } {
  if (raw.address === undefined) return {};
  if (typeof raw.address !== 'string' || !ADDRESS.test(raw.address))
    refuse('invalid_field', 'address must be an IPv4 or IPv6 address');
  return { address: raw.address };
}

/** A ban or mute's length in seconds, if given. */
function duration(raw: RawFrame): { duration?: number } {
  const seconds = positiveInteger(raw, 'duration', LIMITS.maxBanSeconds);
  return seconds === undefined ? {} : { duration: seconds };
}

function reason(raw: RawFrame): { reason?: string } {
  const value = optionalString(raw, 'reason', LIMITS.maxReasonChars);
  return value === undefined ? {} : { reason: value };
}

function filter(raw: RawFrame): { filter?: string } {
  const value = optionalString(raw, 'filter', LIMITS.maxFilterChars);
  return value === undefined ? {} : { filter: value };
}

function topicText(raw: RawFrame): string {
  const value = raw.text;
  if (typeof value !== 'string' || value.length > LIMITS.maxTopicChars || !value.isWellFormed())
    refuse('invalid_field', `a topic is a string of at most ${LIMITS.maxTopicChars} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value))
    refuse('invalid_field', 'a topic is one line, with no control characters');
  return value;
}

function ref(raw: RawFrame): string | undefined {
  return optionalString(raw, 'ref', LIMITS.maxRefChars);
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
    const resumeMap = roomNumbers(raw.resume, 'resume', 'seq');
    if (resumeMap !== undefined) frame.resume = resumeMap;
    const revs = roomNumbers(raw.revs, 'revs', 'rev');
    if (revs !== undefined) frame.revs = revs;
    const guest = guestKey(raw.guest);
    if (guest !== undefined) frame.guest = guest;
    if (raw.dseq !== undefined) {
      if (!Number.isSafeInteger(raw.dseq) || (raw.dseq as number) < 0)
        refuse('invalid_field', 'dseq must be an integer of 0 or more');
      frame.dseq = raw.dseq as number;
    }
    if (raw.drev !== undefined) {
      if (!Number.isSafeInteger(raw.drev) || (raw.drev as number) < 0)
        refuse('invalid_field', 'drev must be an integer of 0 or more');
      frame.drev = raw.drev as number;
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
    const wanted = features(raw.features);
    if (wanted !== undefined) frame.features = wanted;
    return frame;
  },
  say: (raw, o) =>
    withRef(
      {
        type: 'say',
        room: room(raw),
        text: text(raw, o.maxTextBytes),
        ...action(raw),
        ...replyTo(raw),
      },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  dm: (raw, o) =>
    withRef(
      {
        type: 'dm',
        to: name(raw, 'to'),
        text: text(raw, o.maxTextBytes),
        ...action(raw),
        ...replyTo(raw),
      },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  join: (raw) => ({ type: 'join', room: room(raw) }),
  part: (raw) => ({ type: 'part', room: room(raw) }),
  nick: (raw) => ({ type: 'nick', name: name(raw, 'name') }),
  who: (raw) => ({ type: 'who', room: room(raw) }),
  history(raw) {
    const before = positiveInteger(raw, 'before', Number.MAX_SAFE_INTEGER);
    const around = positiveInteger(raw, 'around', Number.MAX_SAFE_INTEGER);
    const limit = positiveInteger(raw, 'limit', LIMITS.maxHistoryLimit);
    if (before !== undefined && around !== undefined)
      refuse('invalid_field', 'history takes before or around, not both');
    return {
      type: 'history',
      room: room(raw),
      ...(before === undefined ? {} : { before }),
      ...(around === undefined ? {} : { around }),
      ...(limit === undefined ? {} : { limit }),
    };
  },
  search(raw) {
    const query = optionalString(raw, 'query', LIMITS.maxSearchChars);
    if (query === undefined) refuse('invalid_field', 'search needs a query');
    const problem = searchProblem(query);
    if (problem) refuse('invalid_field', problem);
    const since = positiveInteger(raw, 'since', Number.MAX_SAFE_INTEGER);
    const until = positiveInteger(raw, 'until', Number.MAX_SAFE_INTEGER);
    const cursor = optionalString(raw, 'cursor', LIMITS.maxRefChars);
    const limit = positiveInteger(raw, 'limit', LIMITS.maxSearchLimit);
    if (raw.room !== undefined && raw.with !== undefined)
      refuse('invalid_field', 'search a room or a direct conversation, not both');
    return withRef(
      {
        type: 'search',
        query,
        ...(raw.room === undefined ? {} : { room: room(raw) }),
        ...(raw.with === undefined ? {} : { with: name(raw, 'with') }),
        ...(raw.from === undefined ? {} : { from: name(raw, 'from') }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    );
  },
  read(raw) {
    if ((raw.room === undefined) === (raw.with === undefined))
      refuse('invalid_field', 'read names a room or a person (with)');
    if (raw.room !== undefined) {
      const seq = positiveInteger(raw, 'seq', Number.MAX_SAFE_INTEGER);
      if (seq === undefined) refuse('invalid_field', 'read of a room needs its seq');
      return { type: 'read', room: room(raw), seq };
    }
    const dseq = positiveInteger(raw, 'dseq', Number.MAX_SAFE_INTEGER);
    if (dseq === undefined) refuse('invalid_field', 'read of a direct conversation needs its dseq');
    return { type: 'read', with: name(raw, 'with'), dseq };
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
  topic: (raw) => withRef({ type: 'topic', room: room(raw), text: topicText(raw) }, ref(raw)),
  mode(raw) {
    const modes: Partial<RoomModes> = {};
    for (const mode of MODES) {
      const value = raw[mode];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') refuse('invalid_field', `${mode} must be a boolean`);
      modes[mode] = value;
    }
    if (Object.keys(modes).length === 0)
      refuse('invalid_field', `name a mode to set: ${MODES.join(', ')}`);
    return withRef({ type: 'mode', room: room(raw), ...modes }, ref(raw));
  },
  role(raw) {
    if (typeof raw.role !== 'string' || !ROLES.has(raw.role))
      refuse('invalid_field', 'role must be owner, moderator, voice or member');
    return withRef(
      { type: 'role', room: room(raw), name: target(raw), role: raw.role as RoomRole },
      ref(raw),
    );
  },
  claim: (raw) => withRef({ type: 'claim', room: room(raw) }, ref(raw)),
  kick: (raw) =>
    withRef({ type: 'kick', room: room(raw), name: target(raw), ...reason(raw) }, ref(raw)),
  ban(raw) {
    const where = optionalRoom(raw);
    const who = raw.name === undefined ? {} : { name: target(raw) };
    const at = address(raw);
    if (where.room !== undefined && at.address !== undefined)
      refuse('invalid_field', 'a room ban names a person, not an address');
    if ((who.name === undefined) === (at.address === undefined))
      refuse('invalid_field', 'name a person or an address');
    return withRef(
      { type: 'ban', ...where, ...who, ...at, ...duration(raw), ...reason(raw) },
      ref(raw),
    );
  },
  unban(raw) {
    const where = optionalRoom(raw);
    const who = raw.name === undefined ? {} : { name: target(raw) };
    const at = address(raw);
    if ((who.name === undefined) === (at.address === undefined))
      refuse('invalid_field', 'name a person or an address');
    return withRef({ type: 'unban', ...where, ...who, ...at }, ref(raw));
  },
  bans: (raw) => ({ type: 'bans', ...optionalRoom(raw) }),
  mute: (raw) =>
    withRef(
      { type: 'mute', room: room(raw), name: target(raw), ...duration(raw), ...reason(raw) },
      ref(raw),
    ),
  unmute: (raw) => withRef({ type: 'unmute', room: room(raw), name: target(raw) }, ref(raw)),
  invite: (raw) => withRef({ type: 'invite', room: room(raw), name: target(raw) }, ref(raw)),
  uninvite: (raw) => withRef({ type: 'uninvite', room: room(raw), name: target(raw) }, ref(raw)),
  list: (raw) => ({ type: 'list', ...filter(raw) }),
  close: (raw) => withRef({ type: 'close', room: room(raw), ...reason(raw) }, ref(raw)),
  reopen: (raw) => withRef({ type: 'reopen', room: room(raw) }, ref(raw)),
  users: (raw) => ({ type: 'users', ...filter(raw) }),
  modlog(raw) {
    const before = positiveInteger(raw, 'before', Number.MAX_SAFE_INTEGER);
    const limit = positiveInteger(raw, 'limit', LIMITS.maxModlogLimit);
    return {
      type: 'modlog',
      ...optionalRoom(raw),
      ...(before === undefined ? {} : { before }),
      ...(limit === undefined ? {} : { limit }),
    };
  },
  react(raw) {
    const problem = reactionProblem(raw.emoji);
    if (problem) refuse('invalid_field', problem);
    if (raw.remove !== undefined && typeof raw.remove !== 'boolean')
      refuse('invalid_field', 'remove must be a boolean');
    return withRef(
      {
        type: 'react',
        ...messagePlace(raw),
        id: messageId(raw),
        emoji: raw.emoji as string,
        ...(raw.remove === true ? { remove: true } : {}),
      },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    );
  },
  edit: (raw, o) =>
    withRef(
      { type: 'edit', ...messagePlace(raw), id: messageId(raw), text: text(raw, o.maxTextBytes) },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  delete: (raw) =>
    withRef(
      { type: 'delete', ...messagePlace(raw), id: messageId(raw) },
      optionalString(raw, 'ref', LIMITS.maxRefChars),
    ),
  typing(raw) {
    if ((raw.room === undefined) === (raw.to === undefined))
      refuse('invalid_field', 'typing names a room or a person (to), one of them');
    return {
      type: 'typing',
      ...(raw.room === undefined ? { to: name(raw, 'to') } : { room: room(raw) }),
      ...(raw.stopped === true ? { stopped: true } : {}),
    };
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
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
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
  const reply = raw.reply as Record<string, unknown> | undefined;
  if (typeof reply === 'object' && reply !== null) {
    if (isString(reply.id) && isString(reply.from) && isString(reply.text))
      frame.reply = {
        id: reply.id,
        from: reply.from,
        text: reply.text,
        ...(reply.deleted === true ? { deleted: true } : {}),
      };
  }
  const reactions = checkReactions(raw.reactions);
  if (reactions && reactions.length > 0) frame.reactions = reactions;
  Object.assign(frame, messageState(raw));
  return frame;
}

/** A search hit, well made: where, who, when, and its snippet's parts. */
function checkHit(raw: unknown): SearchHit | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isString(r.id) || !isString(r.from) || !isTime(r.ts) || !Array.isArray(r.snippet))
    return undefined;
  const place =
    r.room !== undefined
      ? isString(r.room) && isSeq(r.seq)
        ? { room: r.room, seq: r.seq }
        : undefined
      : isString(r.to) && isSeq(r.dseq)
        ? { to: r.to, dseq: r.dseq }
        : undefined;
  if (!place) return undefined;
  const snippet: SnippetPart[] = [];
  for (const part of r.snippet as unknown[]) {
    const p = part as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || !isString(p.text)) return undefined;
    snippet.push(p.hit === true ? { text: p.text, hit: true } : { text: p.text });
  }
  return { id: r.id, from: r.from, ts: r.ts, ...place, snippet };
}

/** Where a changed message is: a room's (`room`, `seq`), or the reader's mailbox's (`dseq`). */
function changedPlace(r: Record<string, unknown>): ChangedPlace | undefined {
  if (r.room !== undefined)
    return isString(r.room) && isSeq(r.seq) ? { room: r.room, seq: r.seq } : undefined;
  return isSeq(r.dseq) ? { dseq: r.dseq } : undefined;
}

/** A message's edited or deleted state, as `message` and `update` carry it. */
function messageState(raw: Record<string, unknown>): {
  edited?: number;
  deleted?: boolean;
  deleted_by?: string;
} {
  if (raw.deleted === true)
    return { deleted: true, ...(isString(raw.deleted_by) ? { deleted_by: raw.deleted_by } : {}) };
  return isTime(raw.edited) ? { edited: raw.edited } : {};
}

/** A message's reactions, those well made kept (a client shows what it can). */
function checkReactions(value: unknown): ReactionCount[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const reactions: ReactionCount[] = [];
  for (const item of value.slice(0, LIMITS.maxReactionKinds) as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { emoji, count, me } = item as Record<string, unknown>;
    if (!isReaction(emoji) || !isSeq(count)) continue;
    reactions.push(me === true ? { emoji, count, me: true } : { emoji, count });
  }
  return reactions;
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

const MOD_ACTIONS: ReadonlySet<string> = new Set<ModAction>([
  'claim',
  'role',
  'topic',
  'mode',
  'kick',
  'ban',
  'unban',
  'mute',
  'unmute',
  'invite',
  'uninvite',
  'close',
  'reopen',
]);

function isRole(value: unknown): value is RoomRole {
  return typeof value === 'string' && ROLES.has(value);
}

/** The optional string fields of `raw` that are strings, copied. */
function strings<K extends string>(raw: Record<string, unknown>, keys: readonly K[]) {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) if (isString(raw[key])) out[key] = raw[key];
  return out;
}

/** The optional time fields of `raw` that are times, copied. */
function times<K extends string>(raw: Record<string, unknown>, keys: readonly K[]) {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) if (isTime(raw[key])) out[key] = raw[key];
  return out;
}

function modesOf(raw: Record<string, unknown>): RoomModes {
  return {
    invite_only: raw.invite_only === true,
    secret: raw.secret === true,
    moderated: raw.moderated === true,
    topic_locked: raw.topic_locked === true,
  };
}

/** The items of a list, each checked by `check`; undefined when one is malformed. */
function listOf<T>(items: unknown, check: (item: Record<string, unknown>) => T | undefined) {
  if (!Array.isArray(items)) return undefined;
  const out: T[] = [];
  for (const item of items) {
    const checked = typeof item === 'object' && item !== null ? check(item) : undefined;
    if (checked === undefined) return undefined;
    out.push(checked);
  }
  return out;
}

function checkRoles(value: unknown): Record<string, Exclude<RoomRole, 'member'>> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const roles: Record<string, Exclude<RoomRole, 'member'>> = Object.create(null);
  for (const [name, role] of Object.entries(value))
    if (isRole(role) && role !== 'member') roles[name] = role;
  return roles;
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
  left(r) {
    if (!isString(r.room) || !isString(r.name) || !isTime(r.ts)) return undefined;
    const frame: LeftFrame = {
      type: 'left',
      room: r.room,
      name: r.name,
      ts: r.ts,
      reason:
        isString(r.reason) && LEAVE_REASONS.has(r.reason)
          ? (r.reason as LeaveReason)
          : 'disconnected',
      ...strings(r, ['by', 'text']),
      ...times(r, ['until']),
    };
    if (r.banned === true) frame.banned = true;
    return frame;
  },
  message: (r) => checkMessage(r),
  ack: (r) =>
    isString(r.ref) && isString(r.id) && isTime(r.ts)
      ? { type: 'ack', ref: r.ref, id: r.id, ts: r.ts, ...(isSeq(r.seq) ? { seq: r.seq } : {}) }
      : undefined,
  names(r) {
    if (!isString(r.room) || !isStringArray(r.names)) return undefined;
    const roles = checkRoles(r.roles);
    return {
      type: 'names',
      room: r.room,
      names: r.names,
      ...(r.more === true ? { more: true } : {}),
      ...(roles ? { roles } : {}),
    };
  },
  room: (r) =>
    isString(r.room)
      ? {
          type: 'room',
          room: r.room,
          ...modesOf(r),
          ...strings(r, ['owner', 'topic', 'topic_by']),
          ...times(r, ['topic_ts']),
          ...(r.operators === true ? { operators: true } : {}),
          ...(r.closed === true ? { closed: true } : {}),
        }
      : undefined,
  mod(r) {
    if (!isString(r.action) || !MOD_ACTIONS.has(r.action) || !isString(r.by) || !isTime(r.ts))
      return undefined;
    const frame: ModFrame = {
      type: 'mod',
      action: r.action as ModAction,
      by: r.by,
      ts: r.ts,
      ...strings(r, ['room', 'name', 'text']),
      ...times(r, ['until']),
    };
    if (isRole(r.role)) frame.role = r.role;
    if (typeof r.modes === 'object' && r.modes !== null)
      frame.modes = modesOf(r.modes as Record<string, unknown>);
    return frame;
  },
  rooms(r) {
    const rooms = listOf<RoomListing>(r.rooms, (item) =>
      isString(item.room) && Number.isSafeInteger(item.members)
        ? { room: item.room, members: item.members as number, ...strings(item, ['topic']) }
        : undefined,
    );
    return rooms ? { type: 'rooms', rooms, ...(r.more === true ? { more: true } : {}) } : undefined;
  },
  bans(r) {
    const bans = listOf<BanInfo>(r.bans, (item) =>
      isString(item.by) && isTime(item.ts)
        ? {
            by: item.by,
            ts: item.ts,
            ...strings(item, ['name', 'address', 'reason']),
            ...times(item, ['until']),
            ...(item.account === true ? { account: true } : {}),
          }
        : undefined,
    );
    return bans
      ? {
          type: 'bans',
          bans,
          ...strings(r, ['room']),
          ...(r.more === true ? { more: true } : {}),
        }
      : undefined;
  },
  users(r) {
    const users = listOf<UserInfo>(r.users, (item) =>
      isString(item.name)
        ? { name: item.name, account: item.account === true, ...strings(item, ['address']) }
        : undefined,
    );
    return users ? { type: 'users', users, ...(r.more === true ? { more: true } : {}) } : undefined;
  },
  modlog(r) {
    const entries = listOf<ModlogEntry>(r.entries, (item) => {
      if (!Number.isSafeInteger(item.id) || !isTime(item.ts) || !isString(item.by))
        return undefined;
      if (!isString(item.action) || !MOD_ACTIONS.has(item.action)) return undefined;
      return {
        id: item.id as number,
        ts: item.ts,
        by: item.by,
        action: item.action as ModAction,
        ...strings(item, ['room', 'name', 'text', 'address']),
        ...times(item, ['until']),
        ...(isRole(item.role) ? { role: item.role } : {}),
      };
    });
    return entries
      ? { type: 'modlog', entries, more: r.more === true, ...strings(r, ['room']) }
      : undefined;
  },
  history(r) {
    const messages = checkMessages(r.messages);
    if (!isString(r.room) || !messages) return undefined;
    return {
      type: 'history',
      room: r.room,
      messages,
      more: r.more === true,
      ...(isCount(r.rev) ? { rev: r.rev } : {}),
      ...(r.newer === true ? { newer: true } : {}),
    };
  },
  reaction(r) {
    const place = changedPlace(r);
    if (!place || !isString(r.id) || !isSeq(r.rev)) return undefined;
    if (!isString(r.name) || !isReaction(r.emoji) || !isCount(r.count)) return undefined;
    return {
      type: 'reaction',
      ...place,
      id: r.id,
      rev: r.rev,
      emoji: r.emoji,
      name: r.name,
      count: r.count,
      ...(r.removed === true ? { removed: true } : {}),
    };
  },
  update(r) {
    const place = changedPlace(r);
    if (!place || !isString(r.id) || !isSeq(r.rev) || !isString(r.from)) return undefined;
    return {
      type: 'update',
      ...place,
      id: r.id,
      rev: r.rev,
      from: r.from,
      reactions: checkReactions(r.reactions) ?? [],
      ...(isString(r.text) ? { text: r.text } : {}),
      ...messageState(r),
    };
  },
  edited(r) {
    const place = changedPlace(r);
    if (!place || !isString(r.id) || !isSeq(r.rev)) return undefined;
    if (!isString(r.from) || !isString(r.text) || !isTime(r.edited)) return undefined;
    return {
      type: 'edited',
      ...place,
      id: r.id,
      rev: r.rev,
      from: r.from,
      text: r.text,
      edited: r.edited,
    };
  },
  deleted(r) {
    const place = changedPlace(r);
    if (!place || !isString(r.id) || !isSeq(r.rev)) return undefined;
    if (!isString(r.from) || !isString(r.deleted_by)) return undefined;
    return {
      type: 'deleted',
      ...place,
      id: r.id,
      rev: r.rev,
      from: r.from,
      deleted_by: r.deleted_by,
    };
  },
  read(r) {
    if (isString(r.room) && isSeq(r.seq)) return { type: 'read', room: r.room, seq: r.seq };
    if (isString(r.with) && isSeq(r.dseq)) return { type: 'read', with: r.with, dseq: r.dseq };
    return undefined;
  },
  read_markers(r) {
    const numbers = (value: unknown): Record<string, number> => {
      const out: Record<string, number> = {};
      if (typeof value !== 'object' || value === null) return out;
      for (const [key, number] of Object.entries(value)) if (isSeq(number)) out[key] = number;
      return out;
    };
    return { type: 'read_markers', rooms: numbers(r.rooms), with: numbers(r.with) };
  },
  search_results(r) {
    if (!isString(r.query) || !Array.isArray(r.hits)) return undefined;
    const hits = r.hits.map(checkHit);
    if (hits.some((hit) => hit === undefined)) return undefined;
    return {
      type: 'search_results',
      query: r.query,
      hits: hits as SearchHit[],
      ...(isString(r.next) ? { next: r.next } : {}),
      ...(isString(r.ref) ? { ref: r.ref } : {}),
    };
  },
  dm_history(r) {
    const messages = checkMessages(r.messages);
    if (!messages || messages.some((m) => m.to === undefined)) return undefined;
    return {
      type: 'dm_history',
      messages,
      more: r.more === true,
      ...(isCount(r.rev) ? { rev: r.rev } : {}),
    };
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
  typing: (r) =>
    isString(r.name)
      ? {
          type: 'typing',
          name: r.name,
          ...strings(r, ['room']),
          ...(r.stopped === true ? { stopped: true } : {}),
        }
      : undefined,
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
