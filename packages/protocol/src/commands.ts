import type { ClientFrame, DmFrame, SayFrame } from './frames.js';
import { DEFAULT_ROOM, LIMITS, QUIT_WORD } from './limits.js';
import { checkName, checkRoom } from './names.js';
import { checkText } from './text.js';

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
  /** Tell the user what was wrong with the line; nothing is sent. */
  | { kind: 'error'; message: string }
  /** Nothing to do (an empty line). */
  | { kind: 'none' };

interface CommandSpec {
  usage: string;
  summary: string;
  run(args: string, context: InputContext): InputAction;
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
  if (problem)
    return error(
      problem.code === 'text_too_long'
        ? `Message too long: ${problem.message}.`
        : 'Nothing to send.',
    );
  return { kind: 'send', frame: { ...frame, text } as SayFrame | DmFrame };
}

function sayHere(text: string, context: InputContext, action: boolean): InputAction {
  const extra = action ? { action: true } : {};
  if (context.peer !== undefined)
    return textAction({ type: 'dm', to: context.peer, ...extra }, text, context);
  return textAction({ type: 'say', room: context.room ?? DEFAULT_ROOM, ...extra }, text, context);
}

const COMMANDS: Record<string, CommandSpec> = {
  join: {
    usage: '/join #room',
    summary: 'enter a room (it is made if it does not exist)',
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
    run(args, context) {
      if (!args.trim()) return error('Usage: /me text');
      return sayHere(args, context, true);
    },
  },
  nick: {
    usage: '/nick name',
    summary: 'change your name',
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
    run: (args) =>
      args.trim() ? error('Usage: /sessions') : { kind: 'send', frame: { type: 'sessions' } },
  },
  revoke: {
    usage: '/revoke id',
    summary: 'log out one of your sessions (ids from /sessions)',
    run(args) {
      const [id, rest] = splitFirstWord(args);
      if (!id || rest) return error('Usage: /revoke id');
      return { kind: 'send', frame: { type: 'revoke', id } };
    },
  },
  logout: {
    usage: '/logout',
    summary: 'log out here (this session’s login is forgotten) and leave',
    run: (args) =>
      args.trim() ? error('Usage: /logout') : { kind: 'send', frame: { type: 'logout' } },
  },
  help: {
    usage: '/help',
    summary: 'show this list',
    run: () => ({ kind: 'help', text: helpText() }),
  },
  quit: {
    usage: '/quit [reason]',
    summary: `leave the chat (or type ${QUIT_WORD} alone)`,
    run: (args) =>
      args.trim()
        ? { kind: 'quit', reason: args.trim().slice(0, LIMITS.maxReasonChars) }
        : { kind: 'quit' },
  },
};

/** The commands, for help screens and completion: `[name, usage, summary]`. */
export const INPUT_COMMANDS: ReadonlyArray<{ name: string; usage: string; summary: string }> =
  Object.entries(COMMANDS).map(([name, spec]) => ({
    name,
    usage: spec.usage,
    summary: spec.summary,
  }));

/** The help text listing every command, one per line. */
export function helpText(): string {
  const width = Math.max(...INPUT_COMMANDS.map((c) => c.usage.length));
  const lines = INPUT_COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    'Commands:',
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
