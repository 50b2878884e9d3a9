import { pino } from 'pino';
import type { Logger, LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

/** Log levels the server accepts. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];

/**
 * The server's logger: JSON lines, or readable lines when stdout is a
 * terminal. Message bodies and secrets are never logged.
 */
export function createLogger(
  level: LevelWithSilent,
  prettyOutput = process.stdout.isTTY === true,
): Logger {
  // Never written, should a field ever carry one by mistake.
  const secrets = ['text', 'password', 'current', 'token'];
  const redact = [...secrets, ...secrets.map((field) => `*.${field}`)];
  const options = { level, base: { service: 'confab' }, redact };
  if (!prettyOutput) return pino(options);
  return pino(
    options,
    pretty({
      colorize: true,
      translateTime: 'HH:MM:ss',
      ignore: 'pid,hostname,service',
      sync: true,
    }),
  );
}
