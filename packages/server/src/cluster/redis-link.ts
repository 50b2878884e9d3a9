import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { ServerError } from '../errors.js';

/** How the link to Redis is doing, for `/healthz` and `/metrics`. */
export interface RedisLinkStats {
  /** Both connections are ready. */
  up: boolean;
  /** Times a connection was lost since start. */
  outages: number;
  /** Commands that failed (Redis out of reach, or an error reply). */
  commandErrors: number;
}

/** How long a command may wait for its answer before it fails as `unavailable`. */
const COMMAND_TIMEOUT_MS = 5_000;
/** How long the first connection may take before the server gives up starting. */
const FIRST_CONNECT_TIMEOUT_MS = 10_000;

/** The longest wait between two attempts to reconnect. */
export const MAX_RETRY_DELAY_MS = 2_000;

/** Reconnect forever, waiting a little longer each time (at most `MAX_RETRY_DELAY_MS`). */
function retryDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), MAX_RETRY_DELAY_MS);
}

/**
 * The node's two connections to Redis: one for commands, one for the
 * subscription (a subscribed connection can run nothing else). Both
 * reconnect by themselves. While a connection is down, commands fail at
 * once instead of queueing: a message is refused with `unavailable`, never
 * held in memory or sent twice; a command in flight when the link breaks
 * fails too, for the same reason.
 */
export class RedisLink {
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly stats: RedisLinkStats = { up: false, outages: 0, commandErrors: 0 };
  private readonly reconnectedListeners: Array<(which: 'commands' | 'subscriber') => void> = [];
  private closing = false;

  constructor(
    readonly url: string,
    private readonly logger: Logger,
  ) {
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      connectTimeout: 2_000,
      retryStrategy: retryDelay,
      connectionName: 'confab',
    };
    this.commands = new Redis(url, { ...options, commandTimeout: COMMAND_TIMEOUT_MS });
    this.subscriber = new Redis(url, options);
    this.watch(this.commands, 'commands');
    this.watch(this.subscriber, 'subscriber');
  }

  /** Connects both; fails (the server does not start) when Redis cannot be reached in time. */
  async connect(): Promise<void> {
    const first = Promise.all([this.commands.connect(), this.subscriber.connect()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${FIRST_CONNECT_TIMEOUT_MS / 1000} s`)),
        FIRST_CONNECT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([first, timeout]);
    } catch (error) {
      this.close();
      throw new ServerError(
        'redis_unreachable',
        `cannot reach Redis at ${redactUrl(this.url)}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    this.stats.up = true;
  }

  /** Called each time a connection is ready again after a break. */
  onReconnected(listener: (which: 'commands' | 'subscriber') => void): void {
    this.reconnectedListeners.push(listener);
  }

  /** Counts a failed command (for the metrics); returns the error. */
  failed(error: unknown): unknown {
    this.stats.commandErrors++;
    return error;
  }

  close(): void {
    this.closing = true;
    this.commands.disconnect();
    this.subscriber.disconnect();
    this.stats.up = false;
  }

  /** Logs each outage once when it starts and once when it ends. */
  private watch(client: Redis, which: 'commands' | 'subscriber'): void {
    let wasReady = false;
    let lost = false;
    client.on('ready', () => {
      if (lost) {
        lost = false;
        this.logger.info({ connection: which }, 'redis is back');
        for (const listener of this.reconnectedListeners) listener(which);
      }
      wasReady = true;
      this.stats.up = this.commands.status === 'ready' && this.subscriber.status === 'ready';
    });
    client.on('close', () => {
      this.stats.up = false;
      if (this.closing || !wasReady || lost) return;
      lost = true;
      this.stats.outages++;
      this.logger.warn(
        { connection: which },
        'lost the connection to redis: new messages are refused until it is back',
      );
    });
    // ioredis reports every failed attempt; the outage is logged once above.
    client.on('error', (error: Error) => {
      if (!lost && wasReady) this.logger.debug({ err: error, connection: which }, 'redis error');
    });
  }
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (URL not shown)';
  }
}
