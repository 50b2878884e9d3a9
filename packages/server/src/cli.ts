#!/usr/bin/env node
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { SETTINGS, checkConfig, defaultConfig, parseSetting } from './config.js';
import type { ServerConfig } from './config.js';
import { ServerError } from './errors.js';
import { createServer } from './server.js';
import { SERVER_VERSION } from './version.js';
import { watchParent } from './parent-watch.js';
import { onStopSignals } from './stop-signals.js';
import { runPrimary, workerCount } from './workers.js';

function usage(): string {
  const rows = SETTINGS.map((s) => {
    const value = s.placeholder ?? (s.kind === 'integer' ? 'N' : (s.choices?.join('|') ?? 'VALUE'));
    const flag = `--${s.flag} ${value}`;
    const fallback =
      s.default === undefined || s.default === '' ? '' : ` (default ${String(s.default)})`;
    return `  ${flag.padEnd(40)} ${s.help}${fallback}\n  ${''.padEnd(40)} env ${s.env}`;
  });
  return [
    `confab-server ${SERVER_VERSION}: the Confab chat server`,
    '',
    'Usage: confab-server [options]',
    '',
    'One port serves the JSON stream over TCP, WebSocket at /ws, TLS (with a',
    'certificate) and plain text for nc/telnet; /healthz and /metrics over HTTP.',
    '',
    'Options (each can also be set in the environment; flags win):',
    ...rows,
    `  ${'--help'.padEnd(40)} show this help`,
    `  ${'--version'.padEnd(40)} show the version`,
    '',
    'SIGINT or SIGTERM stops the server cleanly: every client is told, history is flushed.',
    '',
    'Several processes (on one machine or many) form one chat through Redis:',
    '  confab-server --redis redis://127.0.0.1:6379 --workers auto',
  ].join('\n');
}

/** Reads flags (and `CONFAB_*` variables) into settings. A leading `--` (from `pnpm start -- …`) is ignored. */
function readConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Partial<ServerConfig> | 'help' | 'version' {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const options: ParseArgsConfig['options'] = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const setting of SETTINGS) options[setting.flag] = { type: 'string' };
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ServerError('config_invalid', `${(error as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const config: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const flag = values[setting.flag];
    if (typeof flag === 'string')
      config[setting.key] = parseSetting(setting, flag, `--${setting.flag}`);
    else if (env[setting.env] !== undefined && env[setting.env] !== '') {
      config[setting.key] = parseSetting(setting, env[setting.env]!, setting.env);
    }
  }
  return config as Partial<ServerConfig>;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`confab-server: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (config === 'version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }
  const announce = (host: string, port: number) => {
    if (config.logLevel !== 'silent' && process.stdout.isTTY) {
      process.stdout.write(
        `Confab is listening on ${host}:${port}. Chat with: nc ${host} ${port}   (Ctrl-C stops it)\n`,
      );
    }
  };
  if (cluster.isPrimary) {
    let workers: number;
    try {
      workers = workerCount(checkConfig({ ...defaultConfig(), ...config }).workers);
    } catch (error) {
      process.stderr.write(`confab-server: ${(error as Error).message}\n`);
      process.exit(2);
    }
    // Started by a package manager's script: stop as if told to, should that wrapper be killed.
    if (process.env.npm_lifecycle_event !== undefined)
      watchParent(() => process.kill(process.pid, 'SIGTERM'));
    if (workers > 1) {
      runPrimary(workers, announce);
      return;
    }
  }
  let server;
  try {
    server = createServer(config);
    await server.listen();
  } catch (error) {
    const message =
      error instanceof ServerError ? error.message : `failed to start: ${(error as Error).message}`;
    process.stderr.write(`confab-server: ${message}\n`);
    process.exit(error instanceof ServerError && error.code === 'config_invalid' ? 2 : 1);
  }
  if (cluster.isPrimary) announce(server.address().host, server.address().port);
  const stopNow = (signal: NodeJS.Signals) => {
    process.stderr.write(`confab-server: ${signal} again: exiting now\n`);
    process.exit(1);
  };
  const stop = (signal: NodeJS.Signals) => {
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A worker hears Ctrl-C from the terminal and SIGTERM from its primary:
  // one stop, and only the primary may be asked to hurry.
  onStopSignals(stop, cluster.isWorker ? () => undefined : stopNow);
}

void main();
