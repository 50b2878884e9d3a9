import type { ClientFrame, DmFrame, RoomModes, RoomRole, SayFrame } from './frames.js';
import { DEFAULT_ROOM, LIMITS, QUIT_WORD } from './limits.js';
import { checkName, checkRoom } from './names.js';
import { checkText } from './text.js';
import { reactionProblem } from './reactions.js';
import { searchProblem } from './search.js';

/*
 * What a person types, turned into what the client does. Both clients and the
 * server's plain-text mode share this parser, so `/msg` means the same
 * everywhere.
 */

/** Where plain text goes: the room or person the user is looking at. */
export interface InputContext {
  /** The current room; plain text is said there. */
  room?: string;
  /** When set, plain text is a direct message to this user instead. */
  peer?: string;
  /** Maximum text bytes, to refuse long texts before sending. @default 4096 */
  maxTextBytes?: number;
}

/** What an input line asks for. */
export type InputAction =
  /** Send this frame (the client core adds `ref` to `say`, `dm` and the account frames). */
  | {
      kind: 'send';
      frame: Exclude<ClientFrame, { type: 'hello' | 'quit' | 'ping' | 'pong' | 'history' }>;
    }
  /** Run the `<quit>` handshake. */
  | { kind: 'quit'; reason?: string }
  /** Show this help text to the user. */
  | { kind: 'help'; text: string }
  /**
   * Tell the user what was wrong with the line; nothing is sent. `mend`: the
   * line is what the user meant but cannot go as it is (a message too long),
   * so it belongs back in the input to be mended. Without it (an unknown
   * command, a wrong use of one) the line is for recall, not the input.
   */
  | { kind: 'error'; message: string; mend?: true }
  /**
   * Answer a message of the conversation in view: the `back`th from the
   * newest (1: the newest), with `frame` (its `reply_to` is for the client
   * to fill in). Without `frame`: list the messages one may answer.
   */
  | { kind: 'reply'; back?: number; frame?: SayFrame | DmFrame }
  /** Turn telling others when you are typing on or off (a setting of this client; nothing is sent). */
  | { kind: 'typing'; on: boolean }
  /** Turn desktop notifications (the page) or the bell (the terminal) on or off (a setting of this client). */
  | { kind: 'notify'; on: boolean }
  /**
   * Words besides the user's name that count as mentions (a setting of
   * this client): these, or none (`[]`); without `words`, show them.
   */
  | { kind: 'highlight'; words?: string[] }
  /**
   * Put a reaction on a room message of the conversation in view, the
   * `back`th from the newest (1: the newest), or take yours back when you
   * had it. Without `emoji`: offer the reactions to pick from.
   */
  | { kind: 'react'; back: number; emoji?: string }
  /**
   * Edit a message of the conversation in view: the `back`th from the
   * newest, or (no `back`) the user's own newest; with `text`, its new
   * text; without, the view offers the old text to change.
   */
  | { kind: 'edit'; back?: number; text?: string }
  /** Delete a message of the conversation in view: the `back`th from the newest, or the user's own newest. */
  | { kind: 'delete'; back?: number }
  /** Nothing to do (an empty line). */
  | { kind: 'none' };

/** Which part of `/help` a command is listed in. */
export type CommandGroup = 'chat' | 'account' | 'moderation' | 'operators';

interface CommandSpec {
  usage: string;
  summary: string;
  group: CommandGroup;
  run(args: string, context: InputContext): InputAction;
}

type Sendable = Extract<InputAction, { kind: 'send' }>['frame'];

function send(frame: Sendable): InputAction {
  return { kind: 'send', frame };
}

function error(message: string): InputAction {
  return { kind: 'error', message };
}

/** A room argument; `general` is taken as `#general`. */
function roomArgument(word: string): { room: string } | { problem: string } {
  const room = word.startsWith('#') ? word : `#${word}`;
  const check = checkRoom(room);
  return check.ok ? { room: check.value } : { problem: check.reason };
}

/** Words split at spaces, a "quoted" one kept whole; undefined when a quote is not closed. */
function quotedWords(args: string): string[] | undefined {
  const words: string[] = [];
  for (const match of args.trim().matchAll(/"([^"]*)"|([^\s"]+)|(")/g)) {
    if (match[3] !== undefined) return undefined;
    words.push(match[1] ?? match[2]!);
  }
  return words;
}

function splitFirstWord(args: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args);
  return match ? [match[1]!, match[2]!] : ['', ''];
}

function textAction(
  frame: Omit<SayFrame, 'text'> | Omit<DmFrame, 'text'>,
  text: string,
  context: InputContext,
): InputAction {
  const problem = checkText(text, context.maxTextBytes ?? LIMITS.maxTextBytes);
  if (problem?.code === 'text_too_long')
    return { kind: 'error', message: `Message too long: ${problem.message}.`, mend: true };
  if (problem) return error('Nothing to send.');
  return { kind: 'send', frame: { ...frame, text } as SayFrame | DmFrame };
}

function sayHere(text: string, context: InputContext, action: boolean): InputAction {
  const extra = action ? { action: true } : {};
  if (context.peer !== undefined)
    return textAction({ type: 'dm', to: context.peer, ...extra }, text, context);
  return textAction({ type: 'say', room: context.room ?? DEFAULT_ROOM, ...extra }, text, context);
}

/** The room a moderation command acts on: `#room` as its first word, or the room in view. */
function roomFirst(
  args: string,
  context: InputContext,
  usage: string,
): { room: string; rest: string } | { problem: string } {
  const [word, rest] = splitFirstWord(args.trim());
  if (word.startsWith('#')) {
    const parsed = roomArgument(word);
    return 'room' in parsed
      ? { room: parsed.room, rest }
      : { problem: `No room ${word}: ${parsed.problem}.` };
  }
  if (context.peer !== undefined || context.room === undefined)
    return { problem: `Name the room: ${usage}` };
  return { room: context.room, rest: args.trim() };
}

/** A person's name as a command's argument. */
function personArgument(word: string): { name: string } | { problem: string } {
  const check = checkName(word);
  return check.ok
    ? { name: check.value }
    : { problem: `No one is called ${word}: ${check.reason}.` };
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `30s`, `10m`, `2h`, `7d`, `1w` in seconds; undefined when `word` is not a duration. */
export function parseDuration(word: string): number | undefined {
  const match = /^(\d{1,9})([smhdw])$/i.exec(word);
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!;
  return seconds >= 1 && seconds <= LIMITS.maxBanSeconds ? seconds : undefined;
}

/** `name [duration] [reason]`, as `/ban` and `/mute` take it. */
function nameDurationReason(
  rest: string,
  usage: string,
): { name: string; duration?: number; reason?: string } | { problem: string } {
  const [who, after] = splitFirstWord(rest);
  if (!who) return { problem: `Usage: ${usage}` };
  const person = personArgument(who);
  if ('problem' in person) return person;
  const [first, more] = splitFirstWord(after);
  const duration = first ? parseDuration(first) : undefined;
  const reason = (duration === undefined ? after : more).trim().slice(0, LIMITS.maxReasonChars);
  return {
    name: person.name,
    ...(duration === undefined ? {} : { duration }),
    ...(reason ? { reason } : {}),
  };
}

/** A command on one person in a room: `/NAME [#room] name`. */
function personInRoom(
  usage: string,
  make: (room: string, name: string) => Sendable,
): (args: string, context: InputContext) => InputAction {
  return (args, context) => {
    const where = roomFirst(args, context, usage);
    if ('problem' in where) return error(where.problem);
    const [who, rest] = splitFirstWord(where.rest);
    if (!who || rest) return error(`Usage: ${usage}`);
    const person = personArgument(who);
    return 'problem' in person ? error(person.problem) : send(make(where.room, person.name));
  };
}

/** A command on a room alone: `/NAME [#room]`. */
function roomOnly(
  usage: string,
  make: (room: string) => Sendable,
): (args: string, context: InputContext) => InputAction {
  return (args, context) => {
    const where = roomFirst(args, context, usage);
    if ('problem' in where) return error(where.problem);
    return where.rest ? error(`Usage: ${usage}`) : send(make(where.room));
  };
}

function roleCommand(role: RoomRole, usage: string) {
  return personInRoom(usage, (room, name) => ({ type: 'role', room, name, role }));
}

const MODE_NAMES: Record<string, keyof RoomModes> = {
  i: 'invite_only',
  invite: 'invite_only',
  'invite-only': 'invite_only',
  s: 'secret',
  secret: 'secret',
  m: 'moderated',
  moderated: 'moderated',
  t: 'topic_locked',
  topic: 'topic_locked',
};

/** `+i -s`, `+is-m`, `+invite -secret`: the modes to turn on and off. */
function parseModes(words: string): Partial<RoomModes> | { problem: string } {
  const modes: Partial<RoomModes> = {};
  for (const word of words.split(/\s+/).filter(Boolean)) {
    if (/^([+-][imst]+)+$/i.test(word)) {
      let on = true;
      for (const char of word) {
        if (char === '+' || char === '-') on = char === '+';
        else modes[MODE_NAMES[char.toLowerCase()]!] = on;
      }
      continue;
    }
    const named = /^([+-])([a-z-]{2,})$/i.exec(word);
    const mode = named ? MODE_NAMES[named[2]!.toLowerCase()] : undefined;
    if (!named || !mode)
      return { problem: `Cannot read ${word}: write +i or -s (i, s, m, t), or +invite, -secret.` };
    modes[mode] = named[1] === '+';
  }
  return modes;
}

const COMMANDS: Record<string, CommandSpec> = {
  join: {
    usage: '/join #room',
    summary: 'enter a room (it is made if it does not exist)',
    group: 'chat',
    run(args) {
      const [word, rest] = splitFirstWord(args);
      if (!word || rest) return error('Usage: /join #room');
      const parsed = roomArgument(word);
      return 'room' in parsed
        ? { kind: 'send', frame: { type: 'join', room: parsed.room } }
        : error(`Cannot join ${word}: ${parsed.problem}.`);
    },
  },
  part: {
    usage: '/part [#room]',
    summary: 'leave a room (the current one if none is named)',
    group: 'chat',
    run(args, context) {
      const [word, rest] = splitFirstWord(args);
      if (rest) return error('Usage: /part [#room]');
      if (!word) {
        if (context.room === undefined) return error('Usage: /part #room');
        return { kind: 'send', frame: { type: 'part', room: context.room } };
      }
      const parsed = roomArgument(word);
      return 'room' in parsed
        ? { kind: 'send', frame: { type: 'part', room: parsed.room } }
        : error(`Cannot leave ${word}: ${parsed.problem}.`);
    },
  },
  msg: {
    usage: '/msg name text',
    summary: 'send a direct message to one person',
    group: 'chat',
    run(args, context) {
      const [to, text] = splitFirstWord(args);
      if (!to || !text) return error('Usage: /msg name text');
      const check = checkName(to);
      if (!check.ok) return error(`No one can be called ${to}: ${check.reason}.`);
      return textAction({ type: 'dm', to: check.value }, text, context);
    },
  },
  me: {
    usage: '/me text',
    summary: 'say what you are doing (shown as "* you text")',
    group: 'chat',
    run(args, context) {
      if (!args.trim()) return error('Usage: /me text');
      return sayHere(args, context, true);
    },
  },
  reply: {
    usage: '/reply [N text]',
    summary: 'answer the Nth message back (1: the newest); alone, list them numbered',
    group: 'chat',
    run(args, context) {
      if (!args.trim()) return { kind: 'reply' };
      const [word, text] = splitFirstWord(args.trim());
      const back = Number(word);
      if (!/^\d+$/.test(word) || back < 1 || !text.trim())
        return error(
          'Usage: /reply N text (N counts back from the newest message; /reply lists them)',
        );
      const action = sayHere(text, context, false);
      if (action.kind !== 'send') return action;
      return { kind: 'reply', back, frame: action.frame as SayFrame | DmFrame };
    },
  },
  react: {
    usage: '/react [N] [emoji]',
    summary: 'put an emoji on the Nth message back (1: the newest), or take yours off',
    group: 'chat',
    run(args) {
      const words = args.trim().split(/\s+/).filter(Boolean);
      const usage =
        'Usage: /react [N] [emoji] (N counts back from the newest message, 1 if left out)';
      let back = 1;
      if (words[0] !== undefined && /^\d+$/.test(words[0])) {
        back = Number(words.shift());
        if (back < 1) return error(usage);
      }
      if (words.length > 1) return error(usage);
      const emoji = words[0];
      if (emoji === undefined) return { kind: 'react', back };
      const problem = reactionProblem(emoji);
      if (problem) return error(`${emoji} is not a reaction: ${problem}.`);
      return { kind: 'react', back, emoji };
    },
  },
  edit: {
    usage: '/edit [N] [text]',
    summary: 'change the text of your message N back (yours last if left out); alone, to mend it',
    group: 'chat',
    run(args, context) {
      const [word, rest] = splitFirstWord(args.trim());
      const numbered = /^\d+$/.test(word) && rest.trim() !== '';
      const back = numbered ? Number(word) : undefined;
      if (back === 0)
        return error('Usage: /edit [N] [text] (N counts back from the newest message)');
      const text = numbered ? rest : args.trim();
      if (text === '') return { kind: 'edit' };
      const problem = checkText(text, context.maxTextBytes ?? LIMITS.maxTextBytes);
      if (problem?.code === 'text_too_long')
        return { kind: 'error', message: `Message too long: ${problem.message}.`, mend: true };
      return back === undefined ? { kind: 'edit', text } : { kind: 'edit', back, text };
    },
  },
  delete: {
    usage: '/delete [N]',
    summary: 'delete your message N back (yours last if left out); moderators may delete any',
    group: 'chat',
    run(args) {
      const word = args.trim();
      if (word === '') return { kind: 'delete' };
      if (!/^\d+$/.test(word) || Number(word) < 1)
        return error('Usage: /delete [N] (N counts back from the newest message)');
      return { kind: 'delete', back: Number(word) };
    },
  },
  nick: {
    usage: '/nick name',
    summary: 'change your name',
    group: 'chat',
    run(args) {
      const [word, rest] = splitFirstWord(args);
      if (!word || rest) return error('Usage: /nick name (no spaces)');
      const check = checkName(word);
      return check.ok
        ? { kind: 'send', frame: { type: 'nick', name: check.value } }
        : error(`Cannot use ${word}: ${check.reason}.`);
    },
  },
  who: {
    usage: '/who [#room]',
    summary: 'list who is in a room (the current one if none is named)',
    group: 'chat',
    run(args, context) {
      const [word, rest] = splitFirstWord(args);
      if (rest) return error('Usage: /who [#room]');
      if (!word)
        return { kind: 'send', frame: { type: 'who', room: context.room ?? DEFAULT_ROOM } };
      const parsed = roomArgument(word);
      return 'room' in parsed
        ? { kind: 'send', frame: { type: 'who', room: parsed.room } }
        : error(`No room ${word}: ${parsed.problem}.`);
    },
  },
  register: {
    usage: '/register password',
    summary: 'make your name an account, kept for you with this password (spaces allowed)',
    group: 'account',
    run(args) {
      const password = args.trim();
      if (!password) return error('Usage: /register password');
      if (password.length < LIMITS.minPasswordChars)
        return error(`A password must be at least ${LIMITS.minPasswordChars} characters.`);
      return { kind: 'send', frame: { type: 'register', password } };
    },
  },
  password: {
    usage: '/password current new',
    summary: 'change your password ("quote" one with spaces); your other sessions are logged out',
    group: 'account',
    run(args) {
      const words = quotedWords(args);
      if (!words || words.length !== 2 || !words[0] || !words[1])
        return error('Usage: /password current new (put one with spaces in "quotes")');
      if (words[1].length < LIMITS.minPasswordChars)
        return error(`A password must be at least ${LIMITS.minPasswordChars} characters.`);
      return { kind: 'send', frame: { type: 'password', current: words[0], password: words[1] } };
    },
  },
  sessions: {
    usage: '/sessions',
    summary: 'list where your account is logged in',
    group: 'account',
    run: (args) =>
      args.trim() ? error('Usage: /sessions') : { kind: 'send', frame: { type: 'sessions' } },
  },
  revoke: {
    usage: '/revoke id',
    summary: 'log out one of your sessions (ids from /sessions)',
    group: 'account',
    run(args) {
      const [id, rest] = splitFirstWord(args);
      if (!id || rest) return error('Usage: /revoke id');
      return { kind: 'send', frame: { type: 'revoke', id } };
    },
  },
  logout: {
    usage: '/logout',
    summary: 'log out here (this session’s login is forgotten) and leave',
    group: 'account',
    run: (args) =>
      args.trim() ? error('Usage: /logout') : { kind: 'send', frame: { type: 'logout' } },
  },
  list: {
    usage: '/list [filter]',
    summary: 'list the rooms (those whose name or topic holds the filter)',
    group: 'chat',
    run(args) {
      const filter = args.trim().slice(0, LIMITS.maxFilterChars);
      return send(filter ? { type: 'list', filter } : { type: 'list' });
    },
  },
  search: {
    usage: '/search words ["a phrase"] [in:#room] [from:name] [with:name]',
    summary: 'find messages with these words, newest first (in:, from: and with: narrow it)',
    group: 'chat',
    run(args) {
      const usage = 'Usage: /search words ["a phrase"] [in:#room] [from:name] [with:name]';
      const filters: { room?: string; from?: string; with?: string } = {};
      const words: string[] = [];
      // Filters are words of their own outside quotes; the rest is the query, as typed.
      let quoted = false;
      for (const word of args.trim().split(/(\s+)/u)) {
        const filter = quoted ? undefined : /^(in|from|with):(.+)$/u.exec(word);
        if (filter) {
          const key = filter[1] === 'in' ? 'room' : (filter[1] as 'from' | 'with');
          filters[key] = filter[2]!;
        } else words.push(word);
        if ((word.split('"').length - 1) % 2 === 1) quoted = !quoted;
      }
      const query = words.join('').trim();
      if (query === '') return error(usage);
      if (query.length > LIMITS.maxSearchChars)
        return error(`Search for at most ${LIMITS.maxSearchChars} characters.`);
      const problem = searchProblem(query);
      if (problem) return error(`Cannot search that: ${problem}.`);
      if (filters.room !== undefined && filters.with !== undefined)
        return error('Search in a room or in a direct conversation, not both.');
      return send({ type: 'search', query, ...filters });
    },
  },
  topic: {
    usage: '/topic [#room] text',
    summary: 'set the room’s topic (/topic - clears it)',
    group: 'moderation',
    run(args, context) {
      const usage = '/topic [#room] text';
      const where = roomFirst(args, context, usage);
      if ('problem' in where) return error(where.problem);
      if (!where.rest) return error(`Usage: ${usage} (or /topic - to clear it)`);
      const text = where.rest === '-' ? '' : where.rest.replace(/\s+/g, ' ');
      if (text.length > LIMITS.maxTopicChars)
        return error(`A topic is at most ${LIMITS.maxTopicChars} characters.`);
      return send({ type: 'topic', room: where.room, text });
    },
  },
  mode: {
    usage: '/mode [#room] +i|-i +s +m +t',
    summary: 'set room modes: i invite-only, s secret, m moderated, t topic locked',
    group: 'moderation',
    run(args, context) {
      const usage = '/mode [#room] +i -s (i invite-only, s secret, m moderated, t topic locked)';
      const where = roomFirst(args, context, usage);
      if ('problem' in where) return error(where.problem);
      if (!where.rest) return error(`Usage: ${usage}`);
      const modes = parseModes(where.rest);
      if ('problem' in modes) return error(modes.problem as string);
      return send({ type: 'mode', room: where.room, ...modes });
    },
  },
  claim: {
    usage: '/claim [#room]',
    summary: 'become the owner of a room that has none',
    group: 'moderation',
    run: roomOnly('/claim [#room]', (room) => ({ type: 'claim', room })),
  },
  op: {
    usage: '/op [#room] name',
    summary: 'make someone a moderator (owners)',
    group: 'moderation',
    run: roleCommand('moderator', '/op [#room] name'),
  },
  deop: {
    usage: '/deop [#room] name',
    summary: 'take a moderator’s role away (owners)',
    group: 'moderation',
    run: roleCommand('member', '/deop [#room] name'),
  },
  voice: {
    usage: '/voice [#room] name',
    summary: 'let someone speak in a moderated room',
    group: 'moderation',
    run: roleCommand('voice', '/voice [#room] name'),
  },
  devoice: {
    usage: '/devoice [#room] name',
    summary: 'take someone’s voice away',
    group: 'moderation',
    run: roleCommand('member', '/devoice [#room] name'),
  },
  owner: {
    usage: '/owner [#room] name',
    summary: 'hand the room on to someone (you stay a moderator)',
    group: 'moderation',
    run: roleCommand('owner', '/owner [#room] name'),
  },
  kick: {
    usage: '/kick [#room] name [reason]',
    summary: 'remove someone from the room (every device of theirs)',
    group: 'moderation',
    run(args, context) {
      const usage = '/kick [#room] name [reason]';
      const where = roomFirst(args, context, usage);
      if ('problem' in where) return error(where.problem);
      const [who, reason] = splitFirstWord(where.rest);
      if (!who) return error(`Usage: ${usage}`);
      const person = personArgument(who);
      if ('problem' in person) return error(person.problem);
      const text = reason.trim().slice(0, LIMITS.maxReasonChars);
      return send({
        type: 'kick',
        room: where.room,
        name: person.name,
        ...(text ? { reason: text } : {}),
      });
    },
  },
  ban: {
    usage: '/ban [#room] name [10m|2h|7d] [reason]',
    summary: 'ban someone from the room, for a while or until unbanned',
    group: 'moderation',
    run(args, context) {
      const usage = '/ban [#room] name [10m|2h|7d] [reason]';
      const where = roomFirst(args, context, usage);
      if ('problem' in where) return error(where.problem);
      const parsed = nameDurationReason(where.rest, usage);
      return 'problem' in parsed
        ? error(parsed.problem)
        : send({ type: 'ban', room: where.room, ...parsed });
    },
  },
  unban: {
    usage: '/unban [#room] name',
    summary: 'lift a ban',
    group: 'moderation',
    run: personInRoom('/unban [#room] name', (room, name) => ({ type: 'unban', room, name })),
  },
  bans: {
    usage: '/bans [#room]',
    summary: 'list the room’s bans',
    group: 'moderation',
    run: roomOnly('/bans [#room]', (room) => ({ type: 'bans', room })),
  },
  mute: {
    usage: '/mute [#room] name [10m|2h|7d] [reason]',
    summary: 'keep someone from speaking in the room',
    group: 'moderation',
    run(args, context) {
      const usage = '/mute [#room] name [10m|2h|7d] [reason]';
      const where = roomFirst(args, context, usage);
      if ('problem' in where) return error(where.problem);
      const parsed = nameDurationReason(where.rest, usage);
      return 'problem' in parsed
        ? error(parsed.problem)
        : send({ type: 'mute', room: where.room, ...parsed });
    },
  },
  unmute: {
    usage: '/unmute [#room] name',
    summary: 'let someone speak again',
    group: 'moderation',
    run: personInRoom('/unmute [#room] name', (room, name) => ({ type: 'unmute', room, name })),
  },
  invite: {
    usage: '/invite name [#room]',
    summary: 'let someone into an invite-only room',
    group: 'moderation',
    run(args, context) {
      // `/invite name #room`, as IRC has it, or `/invite #room name`.
      const words = args.trim().split(/\s+/).filter(Boolean);
      const swapped =
        words.length === 2 && words[1]!.startsWith('#') ? `${words[1]} ${words[0]}` : args;
      return personInRoom('/invite name [#room]', (room, name) => ({ type: 'invite', room, name }))(
        swapped,
        context,
      );
    },
  },
  uninvite: {
    usage: '/uninvite [#room] name',
    summary: 'withdraw an invitation',
    group: 'moderation',
    run: personInRoom('/uninvite [#room] name', (room, name) => ({ type: 'uninvite', room, name })),
  },
  modlog: {
    usage: '/modlog [#room|server]',
    summary: 'read the moderation log of a room you own (operators: any, or the server’s)',
    group: 'moderation',
    run(args, context) {
      if (args.trim().toLowerCase() === 'server') return send({ type: 'modlog' });
      return roomOnly('/modlog [#room|server]', (room) => ({ type: 'modlog', room }))(
        args,
        context,
      );
    },
  },
  close: {
    usage: '/close [#room] [reason]',
    summary: 'close a room: everyone leaves and no one may join (operators)',
    group: 'operators',
    run(args, context) {
      const where = roomFirst(args, context, '/close [#room] [reason]');
      if ('problem' in where) return error(where.problem);
      const reason = where.rest.slice(0, LIMITS.maxReasonChars);
      return send({ type: 'close', room: where.room, ...(reason ? { reason } : {}) });
    },
  },
  reopen: {
    usage: '/reopen #room',
    summary: 'open a closed room again (operators)',
    group: 'operators',
    run: roomOnly('/reopen #room', (room) => ({ type: 'reopen', room })),
  },
  serverban: {
    usage: '/serverban name|address [10m|2h|7d] [reason]',
    summary: 'ban an account, a guest’s address or an address from the server (operators)',
    group: 'operators',
    run(args) {
      const usage = '/serverban name|address [10m|2h|7d] [reason]';
      const [who, after] = splitFirstWord(args.trim());
      if (!who) return error(`Usage: ${usage}`);
      if (isAddress(who)) {
        const [first, more] = splitFirstWord(after);
        const duration = first ? parseDuration(first) : undefined;
        const reason = (duration === undefined ? after : more)
          .trim()
          .slice(0, LIMITS.maxReasonChars);
        return send({
          type: 'ban',
          address: who,
          ...(duration === undefined ? {} : { duration }),
          ...(reason ? { reason } : {}),
        });
      }
      const parsed = nameDurationReason(args.trim(), usage);
      return 'problem' in parsed ? error(parsed.problem) : send({ type: 'ban', ...parsed });
    },
  },
  serverunban: {
    usage: '/serverunban name|address',
    summary: 'lift a server ban (operators)',
    group: 'operators',
    run(args) {
      const [who, rest] = splitFirstWord(args.trim());
      if (!who || rest) return error('Usage: /serverunban name|address');
      if (isAddress(who)) return send({ type: 'unban', address: who });
      const person = personArgument(who);
      return 'problem' in person
        ? error(person.problem)
        : send({ type: 'unban', name: person.name });
    },
  },
  serverbans: {
    usage: '/serverbans',
    summary: 'list the server’s bans (operators)',
    group: 'operators',
    run: (args) => (args.trim() ? error('Usage: /serverbans') : send({ type: 'bans' })),
  },
  users: {
    usage: '/users [filter]',
    summary: 'list who is connected, with their addresses (operators)',
    group: 'operators',
    run(args) {
      const filter = args.trim().slice(0, LIMITS.maxFilterChars);
      return send(filter ? { type: 'users', filter } : { type: 'users' });
    },
  },
  typing: {
    usage: '/typing on|off',
    summary: 'whether others see when you are typing',
    group: 'chat',
    run(args) {
      const word = args.trim().toLowerCase();
      return word === 'on' || word === 'off'
        ? { kind: 'typing', on: word === 'on' }
        : error('Usage: /typing on|off');
    },
  },
  notify: {
    usage: '/notify on|off',
    summary: 'whether a mention or a direct message notifies you (the bell, or the desktop)',
    group: 'chat',
    run(args) {
      const word = args.trim().toLowerCase();
      return word === 'on' || word === 'off'
        ? { kind: 'notify', on: word === 'on' }
        : error('Usage: /notify on|off');
    },
  },
  highlight: {
    usage: '/highlight [words… | none]',
    summary: 'words besides your name that count as mentions (alone: show them)',
    group: 'chat',
    run(args) {
      const words = args.trim().split(/\s+/u).filter(Boolean);
      if (words.length === 0) return { kind: 'highlight' };
      if (words.length === 1 && words[0]!.toLowerCase() === 'none')
        return { kind: 'highlight', words: [] };
      const problem = highlightProblem(words);
      return problem ? error(problem) : { kind: 'highlight', words };
    },
  },
  help: {
    usage: '/help',
    summary: 'show this list',
    group: 'chat',
    run: () => ({ kind: 'help', text: helpText() }),
  },
  quit: {
    usage: '/quit [reason]',
    summary: `leave the chat (or type ${QUIT_WORD} alone)`,
    group: 'chat',
    run: (args) =>
      args.trim()
        ? { kind: 'quit', reason: args.trim().slice(0, LIMITS.maxReasonChars) }
        : { kind: 'quit' },
  },
};

/** An IPv4 or IPv6 address as typed (a name never holds `.` and digits only, or `:`). */
function isAddress(word: string): boolean {
  return (
    /^\d{1,3}(\.\d{1,3}){3}$/.test(word) || (word.includes(':') && /^[0-9a-f:.]+$/i.test(word))
  );
}

/** The commands, for help screens and completion. */
export const INPUT_COMMANDS: ReadonlyArray<{
  name: string;
  usage: string;
  summary: string;
  group: CommandGroup;
}> = Object.entries(COMMANDS).map(([name, spec]) => ({
  name,
  usage: spec.usage,
  summary: spec.summary,
  group: spec.group,
}));

const GROUP_TITLES: Record<CommandGroup, string> = {
  chat: 'Commands:',
  account: 'Accounts:',
  moderation: 'Rooms you own or moderate ([#room]: the current one if not named):',
  operators: 'Server operators:',
};

/** The help text listing every command, one per line, by group. */
export function helpText(): string {
  const lines: string[] = [];
  for (const group of Object.keys(GROUP_TITLES) as CommandGroup[]) {
    const commands = INPUT_COMMANDS.filter((c) => c.group === group);
    const width = Math.max(...commands.map((c) => c.usage.length));
    lines.push(GROUP_TITLES[group]);
    for (const c of commands) lines.push(`  ${c.usage.padEnd(width)}  ${c.summary}`);
  }
  return [
    ...lines,
    `Anything else is said in the current room; start with // to say a line that begins with /.`,
  ].join('\n');
}

/**
 * Turns one input line into an action. `<quit>` alone (spaces around it
 * allowed) quits; `/name args` runs a command; `//text` says `/text`; any
 * other text is said in the current room (or to the current peer). Lines may
 * hold newlines (a pasted block is one message).
 */
export function parseInput(line: string, context: InputContext = {}): InputAction {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'none' };
  if (trimmed === QUIT_WORD) return { kind: 'quit' };
  if (line.startsWith('//')) return sayHere(line.slice(1), context, false);
  if (!line.startsWith('/')) return sayHere(line, context, false);
  const [word, args] = splitFirstWord(line.slice(1));
  const name = word.toLowerCase();
  const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!spec)
    return error(
      word
        ? `Unknown command /${word}. Type /help for the list.`
        : 'Type /help for the list of commands.',
    );
  return spec.run(args, context);
}

/** Commands whose arguments are passwords. */
const SECRET_COMMAND = /^(\s*\/(?:register|password)(?:\s|$))([\s\S]*)$/i;

/** Whether a line carries a password (`/register`, `/password`): a view hides it and keeps it out of recall. */
export function carriesSecret(line: string): boolean {
  return SECRET_COMMAND.test(line);
}

/** The line as it may be shown on screen: a password's characters as `•`, spaces kept. */
export function maskSecrets(line: string): string {
  const match = SECRET_COMMAND.exec(line);
  return match ? match[1]! + match[2]!.replace(/\S/g, '•') : line;
}

/** Why these highlight words cannot be kept, if so: a bounded few, each a word of some length. */
export function highlightProblem(words: readonly string[]): string | undefined {
  if (words.length > LIMITS.maxHighlights)
    return `Highlight at most ${LIMITS.maxHighlights} words.`;
  const long = words.find((word) => word.length > LIMITS.maxHighlightChars);
  if (long !== undefined)
    return `Highlight words of at most ${LIMITS.maxHighlightChars} characters.`;
  return undefined;
}
