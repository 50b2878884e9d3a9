#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { ChatClient, checkName } from '@confab/protocol';
import type { EndReason } from '@confab/protocol';
import blessed from 'blessed';
import { USAGE, parseTuiArgs } from './args.js';
import { tcpConnect } from './tcp-transport.js';
import { TerminalApp } from './ui/app.js';
import { localeIsUtf8, patchBlessedWidths, preferUtf8LineDrawing } from './ui/unicode-width.js';
import { VERSION } from './version.js';

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
  const app = new TerminalApp(screen);
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
  name ??= await app.ask({ label: 'Name', check: checkAnswer }, { server: endpointLabel() });
  if (name === undefined) return finish(0);

  const client = new ChatClient({
    connect: tcpConnect({ host, port, tls: args.tls, insecure: args.insecure }),
    name,
    // This run's guest key: the server keeps its direct messages, and a reconnect gets back what the link lost.
    guestKey: randomBytes(32).toString('base64url'),
    clientName: `confab-tui/${VERSION}`,
  });
  app.attach(client, endpointLabel(), args.tls);
  client.subscribe((event) => {
    if (event.type === 'name_rejected') {
      void app
        .ask({ label: 'Name', check: checkAnswer, note: event.message })
        .then((answer) => (answer === undefined ? client.quit() : client.retryName(answer)));
    } else if (event.type === 'ended') {
      const lines: Record<EndReason, [number, string, boolean]> = {
        user: [0, 'Bye.', false],
        server: [
          event.message === 'server_shutdown' ? 0 : 1,
          event.message === 'server_shutdown'
            ? 'The server shut down. Bye.'
            : `confab: the server ended the session${event.message ? `: ${event.message}` : ''}`,
          event.message !== 'server_shutdown',
        ],
        unreachable: [1, `confab: ${event.message ?? `cannot reach ${endpointLabel()}`}`, true],
      };
      const [code, line, toError] = lines[event.reason];
      finish(code, line, toError);
    }
  });
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => client.quit());
  client.start();
}

void main();
