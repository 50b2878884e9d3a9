import { parseArgs } from 'node:util';

/** What `confab-gui` was asked to do. */
export interface GuiArgs {
  /** The chat server, as the connect screen shows it (host:port or ws://…). */
  server: string;
  name: string | undefined;
  open: boolean;
  /** Port of the page server (0: any free one). */
  port: number;
}

export type ParsedGuiArgs =
  | { kind: 'run'; args: GuiArgs }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const USAGE = `confab-gui: the Confab chat in a window

Usage: confab-gui [--server HOST:PORT] [--name NAME] [--no-open] [--port N]

  --server HOST:PORT  the chat server (env CONFAB_SERVER; default 127.0.0.1:7420);
                      ws://host:port/ws and wss:// addresses work too
  --name NAME         your name (env CONFAB_NAME); with it the page connects at once
  --no-open           only serve the page and print its address
  --port N            port for the page on 127.0.0.1 (default: any free port)
  --help, --version

The page opens in a native webview window where the system has one, else in
a Chromium or Chrome app window, else in the default browser. It can also be
opened from any browser at the printed address.`;

/** Reads flags, then `CONFAB_*` variables. Accepts a leading `--`. */
export function parseGuiArgs(argv: string[], env: NodeJS.ProcessEnv): ParsedGuiArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : argv,
      options: {
        server: { type: 'string' },
        name: { type: 'string' },
        'no-open': { type: 'boolean' },
        port: { type: 'string' },
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
  const portText = (values.port as string | undefined) ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535)
    return { kind: 'error', message: `--port must be a number from 0 to 65535, not "${portText}"` };
  const name = (values.name as string | undefined) ?? (env.CONFAB_NAME || undefined);
  return {
    kind: 'run',
    args: {
      server: (values.server as string | undefined) ?? (env.CONFAB_SERVER || '127.0.0.1:7420'),
      name,
      open: values['no-open'] !== true,
      port,
    },
  };
}

/** The page's address with what the connect screen starts from. */
export function pageAddress(base: string, args: GuiArgs): string {
  const url = new URL(base);
  url.searchParams.set('server', args.server);
  if (args.name !== undefined) {
    url.searchParams.set('name', args.name);
    url.searchParams.set('connect', '1');
  }
  return url.toString();
}
