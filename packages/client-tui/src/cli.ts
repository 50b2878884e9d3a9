#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import {
  ChatClient,
  LIMITS,
  LOGGED_OUT_REASON,
  SERVER_SHUTDOWN_REASON,
  SESSION_REPLACED_REASON,
  SESSION_REVOKED_REASON,
  askAfterRejection,
  checkName,
  environmentLocale,
  foldName,
} from '@confab/protocol';
import type { EndReason } from '@confab/protocol';
import blessed from 'blessed';
import { USAGE, parseTuiArgs } from './args.js';
import { SessionsFile } from './sessions-file.js';
import { tcpConnect } from './tcp-transport.js';
import { TerminalApp } from './ui/app.js';
import { localeIsUtf8, patchBlessedWidths, preferUtf8LineDrawing } from './ui/unicode-width.js';
import { VERSION } from './version.js';
import { TUI_KEYS } from './view/keys.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 7420;

function fail(message: string, code = 1): never {
  process.stderr.write(`confab: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const parsed = parseTuiArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (parsed.kind === 'error') fail(parsed.message, 2);
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    fail('the terminal client needs a terminal (stdin and stdout)', 2);
  const args = parsed.args;

  patchBlessedWidths();
  const utf8 = localeIsUtf8(process.env);
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: utf8,
    title: 'confab',
    autoPadding: true,
    dockBorders: true,
    warnings: false,
  });
  if (utf8) preferUtf8LineDrawing(screen);
  const app = new TerminalApp(screen, environmentLocale(process.env));
  let finished = false;
  const finish = (code: number, line?: string, toError = false) => {
    if (finished) return;
    finished = true;
    app.stop();
    // Restores the terminal (normal screen, cursor, echo) before anything is printed.
    screen.destroy();
    if (line) (toError ? process.stderr : process.stdout).write(`${line}\n`);
    process.exit(code);
  };
  process.on('uncaughtException', (error) => {
    finished = false;
    finish(
      1,
      `confab: internal error: ${error.message}${process.env.CONFAB_DEBUG ? `\n${error.stack}` : ''}`,
      true,
    );
  });

  // Started bare, it asks for the server as the first chat client asked for
  // host and port. Given any of them, what was given is not asked again and
  // the address takes its defaults; only a missing name is asked for.
  const endpointLabel = () => `${host}:${port}`;
  const anyGiven = args.host !== undefined || args.port !== undefined || args.name !== undefined;
  let host = args.host ?? (anyGiven ? DEFAULT_HOST : undefined);
  let port = args.port ?? (anyGiven ? DEFAULT_PORT : undefined);
  host ??= await app.ask({
    label: 'Server',
    initial: DEFAULT_HOST,
    check: (a) => (a ? undefined : 'type the server address'),
  });
  if (host === undefined) return finish(0);
  if (port === undefined) {
    const answer = await app.ask(
      {
        label: 'Port',
        initial: String(DEFAULT_PORT),
        check: (a) =>
          /^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 65_535
            ? undefined
            : 'a number from 1 to 65535',
      },
      { server: host },
    );
    if (answer === undefined) return finish(0);
    port = Number(answer);
  }
  const checkAnswer = (answer: string) => {
    const check = checkName(answer);
    return check.ok ? undefined : check.reason;
  };
  // A login kept from before, for this server: its name is offered, and its token logs in.
  const logins = new SessionsFile();
  const kept = logins.get(endpointLabel());
  let name = args.name;
  if (name !== undefined && checkAnswer(name))
    name = await app.ask(
      {
        label: 'Name',
        initial: name,
        check: checkAnswer,
        note: `"${name}" cannot be used: ${checkAnswer(name)}`,
      },
      { server: endpointLabel() },
    );
  name ??= await app.ask(
    { label: 'Name', check: checkAnswer, ...(kept ? { initial: kept.name } : {}) },
    { server: endpointLabel() },
  );
  if (name === undefined) return finish(0);
  const sameName = kept !== undefined && foldName(kept.name) === foldName(name);

  const client = new ChatClient({
    connect: tcpConnect({ host, port, tls: args.tls, insecure: args.insecure }),
    name,
    ...(sameName ? { credentials: { token: kept.token } } : {}),
    // The guest key kept for this server: its direct messages are kept, and coming back
    // (a reconnect, or the next run) takes the name back from a link that died unnoticed.
    guestKey: logins.guestKey(endpointLabel(), foldName(name), () =>
      randomBytes(32).toString('base64url'),
    ),
    clientName: `confab-tui/${VERSION}`,
    keys: TUI_KEYS,
    sendTyping: !args.noTyping,
    notify: !args.noBell,
    highlights: args.highlights,
  });
  app.attach(client, endpointLabel(), args.tls);
  let trying = name;
  const askName = (note: string) =>
    app.ask({ label: 'Name', check: checkAnswer, note }).then((answer) => {
      if (answer === undefined) return client.quit();
      trying = answer;
      client.retryName(answer);
    });
  const askPassword = (ask: 'password' | 'new-password', note: string) =>
    app
      .ask({
        label: 'Password',
        secret: true,
        note,
        check: (answer) =>
          ask === 'new-password' && answer !== '' && answer.length < LIMITS.minPasswordChars
            ? `${LIMITS.minPasswordChars} characters at least`
            : undefined,
      })
      .then((answer) => {
        if (answer === undefined) return client.quit();
        // Nothing typed: another name instead.
        if (answer === '') return askName('Choose another name');
        client.retry(trying, { password: answer, register: ask === 'new-password' });
      });
  client.subscribe((event) => {
    if (event.type === 'name_rejected') {
      const ask = askAfterRejection(event);
      if (ask === 'name') void askName(event.message);
      else
        void askPassword(
          ask,
          ask === 'password'
            ? `${event.message} (Enter alone: another name)`
            : 'This server needs an account: a password makes the name yours (Enter alone: another name)',
        );
    } else if (event.type === 'account') {
      if (event.name === undefined) logins.delete(endpointLabel());
      else if (event.token !== undefined)
        logins.set(endpointLabel(), { name: event.name, token: event.token });
    } else if (event.type === 'ended') {
      finish(...endLine(event.reason, event.message, endpointLabel()));
    }
  });
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => client.quit());
  client.start();
}

/** The exit code and last line for how a session ended (and whether the line is an error's). */
function endLine(
  reason: EndReason,
  message: string | undefined,
  endpoint: string,
): [number, string, boolean] {
  if (reason === 'user') return [0, 'Bye.', false];
  if (reason === 'unreachable')
    return [1, `confab: ${message ?? `cannot reach ${endpoint}`}`, true];
  if (message === SERVER_SHUTDOWN_REASON) return [0, 'The server shut down. Bye.', false];
  if (message === LOGGED_OUT_REASON) return [0, 'Logged out. Bye.', false];
  if (message === SESSION_REVOKED_REASON)
    return [0, 'This session was logged out from another device. Bye.', false];
  if (message === SESSION_REPLACED_REASON)
    return [0, 'You connected again from elsewhere as this guest: this one ends. Bye.', false];
  return [1, `confab: the server ended the session${message ? `: ${message}` : ''}`, true];
}

void main();
