import { parseArgs } from 'node:util';
import { highlightProblem } from '@confab/protocol';

/** What the command line (and `CONFAB_*` variables) asked for; missing parts are asked in the UI. */
export interface TuiArgs {
  host: string | undefined;
  port: number | undefined;
  name: string | undefined;
  tls: boolean;
  insecure: boolean;
  /** Others are not told when this user is typing. */
  noTyping: boolean;
  /** No bell for a mention or a direct message. */
  noBell: boolean;
  /** Words besides the user's name that count as mentions. */
  highlights: string[];
}

export type ParsedArgs =
  | { kind: 'run'; args: TuiArgs }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const USAGE = `confab: the Confab terminal chat client

Usage: confab [--host HOST] [--port PORT] [--name NAME] [--tls] [--no-typing]
              [--no-bell] [--highlight WORD,WORD…]

  --host HOST    server address (env CONFAB_HOST; default 127.0.0.1)
  --port PORT    server port (env CONFAB_PORT; default 7420)
  --name NAME    your name (env CONFAB_NAME; asked for when missing)
  --tls          connect with TLS (env CONFAB_TLS=1)
  --insecure     with --tls, accept a certificate that does not verify
  --no-typing    do not let others see when you are typing (env
                 CONFAB_NO_TYPING=1; /typing on|off in the chat)
  --no-bell      no bell for a mention or a direct message (env
                 CONFAB_NO_BELL=1; /notify on|off in the chat)
  --highlight W  words besides your name that count as mentions, with
                 commas between (env CONFAB_HIGHLIGHT; /highlight in the chat)
  --help         show this help
  --version      show the version

With none of --host, --port and --name, the server, port and name are asked
for, the defaults ready to accept; with any of them, only a missing name is
asked for.

In the chat: type and press Enter to talk. /help lists the commands.
<quit> alone, /quit, Ctrl-C or Ctrl-D leave. PageUp/PageDown scroll,
Up/Down recall what you typed, Tab completes names, Ctrl-N/Ctrl-P or
Alt-1..9 switch rooms, F2 shows or hides the member list.`;

/** Reads flags, then `CONFAB_*` variables for what flags did not give. Accepts a leading `--`. */
export function parseTuiArgs(argv: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        name: { type: 'string' },
        tls: { type: 'boolean' },
        insecure: { type: 'boolean' },
        'no-typing': { type: 'boolean' },
        'no-bell': { type: 'boolean' },
        highlight: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message} (see --help)` };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const text = (flag: string, variable: string) => {
    const value = (values[flag] as string | undefined) ?? env[variable];
    return value === undefined || value === '' ? undefined : value;
  };
  const portText = text('port', 'CONFAB_PORT');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65_535)
      return {
        kind: 'error',
        message: `the port must be a number from 1 to 65535, not "${portText}"`,
      };
  }
  const highlights = (text('highlight', 'CONFAB_HIGHLIGHT') ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
  const problem = highlightProblem(highlights);
  if (problem) return { kind: 'error', message: problem };
  const truthy = (value: string | undefined) =>
    value !== undefined && value !== '0' && value.toLowerCase() !== 'false';
  return {
    kind: 'run',
    args: {
      host: text('host', 'CONFAB_HOST'),
      port,
      name: text('name', 'CONFAB_NAME'),
      tls: values.tls === true || truthy(env.CONFAB_TLS),
      insecure: values.insecure === true,
      noTyping: values['no-typing'] === true || truthy(env.CONFAB_NO_TYPING),
      noBell: values['no-bell'] === true || truthy(env.CONFAB_NO_BELL),
      highlights,
    },
  };
}
