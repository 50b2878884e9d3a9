import { LIMITS } from '@confab/protocol';
import type { MailboxLimits } from './core/ports.js';
import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS } from './logger.js';
import { ServerError } from './errors.js';

/** Everything a server can be told. Every limit has a documented default. */
export interface ServerConfig {
  /** Address to listen on. @default '127.0.0.1' */
  host: string;
  /** Port for every transport; 0 picks a free one. @default 7420 */
  port: number;
  /** PEM certificate and key file paths: TLS on the same port. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** Where history lives; always `redis` with `redis` set. @default 'sqlite' */
  store: 'sqlite' | 'memory' | 'redis';
  /** Folder of the SQLite database. @default './confab-data' */
  dataDir: string;
  /** Maximum bytes of one frame, line ending included. @default 65536 */
  maxFrameBytes: number;
  /** Maximum bytes of UTF-8 in a message text. @default 4096 */
  maxTextBytes: number;
  /** Frames per second per connection (token bucket; 0 turns it off). @default 20 */
  rateLimit: number;
  /** Frames a connection may send at once before the rate applies. @default 40 */
  rateBurst: number;
  /** Frames over the rate a connection may have waiting for their turn; past it, `rate_limited` (0: refuse at once). @default 100 */
  rateQueue: number;
  /** Messages and joins a second from one address, across its connections, in bursts of twice as many (0: no limit). @default 50 */
  addressRate: number;
  /** New accounts an hour from one address (three times as many from its /24 or /64 network; 0: no limit). @default 10 */
  registrationsPerHour: number;
  /** Open connections in total (0: no limit). @default 10000 */
  maxConnections: number;
  /** Open connections from one address, an IPv6 /64 counting as one (0: no limit). @default 64 */
  maxConnectionsPerIp: number;
  /** Connections from one address still in their handshake: first bytes, request head, hello, a typed name (0: no limit). @default 16 */
  maxHandshakesPerIp: number;
  /** Milliseconds an HTTP client has to send a whole request head (then 408). @default 10000 */
  headTimeout: number;
  /** Comma-separated origins whose pages may open a WebSocket, besides the server's own and this machine's (`*`: any). @default '' */
  allowedOrigins: string;
  /** The chat page at `/`: `auto` (the installed `@confab/client-gui`, when there is one), `off`, or the folder of a built page. @default 'auto' */
  webPage: string;
  /** Milliseconds to send `hello` after connecting. @default 10000 */
  handshakeTimeout: number;
  /** Milliseconds a new connection may stay silent before it is taken for a person on `nc` and greeted (0: never). @default 500 */
  greetAfter: number;
  /** Milliseconds a person on plain text has to type a name. @default 120000 */
  nameTimeout: number;
  /** Milliseconds of silence before a ping; another as long without answer and the peer is gone. @default 30000 */
  pingInterval: number;
  /** Bytes queued for one connection before it is dropped as a slow consumer. @default 1048576 */
  maxOutboundBytes: number;
  /** Bytes a second of large answers (replays, history, member lists) one address may be sent, across its connections; bursts of 4 s worth (0: no limit). @default 4194304 */
  replayRate: number;
  /** History reads a second one address may cause, across its connections; bursts of 4 s worth (0: no limit). @default 500 */
  replayReads: number;
  /** Direct messages kept per mailbox; the oldest go past it. @default 10000 */
  mailboxHistory: number;
  /** Direct messages that may wait in a mailbox for an owner who is away (a tenth of it from one sender). @default 1000 */
  mailboxWaiting: number;
  /** Bytes of text that may wait in a mailbox for an owner who is away (a tenth of it from one sender). @default 1048576 */
  mailboxWaitingBytes: number;
  /** Days a guest's mailbox is kept after its newest message. @default 30 */
  guestMailboxDays: number;
  /** Milliseconds a shutdown waits for clients to take their `quit` before closing them. @default 5000 */
  shutdownTimeout: number;
  /** @default 'info' */
  logLevel: LevelWithSilent;
  /** Serve `/metrics` and `/healthz` on this port of `metricsHost` (0: any free port); off when unset. */
  metricsPort: number | undefined;
  /** Address of the metrics port. @default '127.0.0.1' */
  metricsHost: string;
  /** Serve `/metrics` on the chat port to requests with `Authorization: Bearer <token>`; off when unset. */
  metricsToken: string | undefined;
  /** Redis URL: this process joins the chat kept there (history, fan-out, names). */
  redis: string | undefined;
  /** What Redis may lose of acked messages: `always` (nothing), `everysec` (a second), `none` (unchecked). @default 'always' */
  redisDurability: 'always' | 'everysec' | 'none';
  /** Prefix of every Redis key and channel of this chat. @default 'confab:' */
  redisPrefix: string;
  /** Messages kept per room in Redis (older ones are trimmed). @default 100000 */
  redisHistory: number;
  /**
   * A cluster node's replica of the search index: `file` (under `dataDir`,
   * kept across restarts), `memory` (read again from Redis at each start)
   * or `off` (searches answer `unavailable`). @default 'file'
   */
  searchIndex: 'file' | 'memory' | 'off';
  /** Milliseconds after which a silent node is taken for dead and its users leave. @default 10000 */
  nodeTtl: number;
  /** Server processes on this machine (`auto`: one per core); more than one needs `redis`. @default '1' */
  workers: string;
  /** Give memory back to the system when the server goes quiet after a burst (see `MemoryTrimmer`). @default 'on' */
  memoryTrim: 'on' | 'off';
  /** Accounts: `optional` (guests and accounts), `required` (accounts only), or `off`. @default 'optional' */
  accounts: 'required' | 'optional' | 'off';
  /** scrypt's cost for passwords, as log2 of N (r = 8, p = 1). @default 14 */
  passwordCost: number;
  /** Password attempts per second from one address (a burst of three times as many; 0: no limit). @default 10 */
  loginRate: number;
  /** Comma-separated account names of the server's operators. @default '' */
  operators: string;
  /** A file naming more operators, one account name a line (`#` starts a comment). */
  operatorsFile: string | undefined;
  /** Rooms an account may own; past it, a room it makes has no owner (0: accounts own none). @default 100 */
  maxOwnedRooms: number;
}

/** One setting: its flag, environment variable, default and help. */
interface Setting<K extends keyof ServerConfig> {
  key: K;
  flag: string;
  env: string;
  kind: 'string' | 'integer';
  default: ServerConfig[K];
  help: string;
  choices?: readonly string[];
  /** What `--help` shows for the value (default: N, the choices, or VALUE). */
  placeholder?: string;
}

type AnySetting = { [K in keyof ServerConfig]: Setting<K> }[keyof ServerConfig];

/** The settings, in `--help` order. The CLI and `createServer` both read this table. */
export const SETTINGS: readonly AnySetting[] = [
  {
    key: 'host',
    flag: 'host',
    env: 'CONFAB_HOST',
    kind: 'string',
    default: '127.0.0.1',
    placeholder: 'ADDRESS',
    help: 'address to listen on (0.0.0.0 for every interface)',
  },
  {
    key: 'port',
    flag: 'port',
    env: 'CONFAB_PORT',
    kind: 'integer',
    default: 7420,
    help: 'port for every transport (0: any free port)',
  },
  {
    key: 'tlsCert',
    flag: 'tls-cert',
    env: 'CONFAB_TLS_CERT',
    kind: 'string',
    default: undefined,
    placeholder: 'FILE',
    help: 'PEM certificate file: TLS on the same port',
  },
  {
    key: 'tlsKey',
    flag: 'tls-key',
    env: 'CONFAB_TLS_KEY',
    kind: 'string',
    default: undefined,
    placeholder: 'FILE',
    help: 'PEM private key file for --tls-cert',
  },
  {
    key: 'store',
    flag: 'store',
    env: 'CONFAB_STORE',
    kind: 'string',
    default: 'sqlite',
    choices: ['sqlite', 'memory', 'redis'],
    help: 'history store: sqlite (a file under --data-dir), memory (none kept), or redis (implied by --redis)',
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'CONFAB_DATA_DIR',
    kind: 'string',
    default: './confab-data',
    placeholder: 'DIR',
    help: 'folder of the history database',
  },
  {
    key: 'maxFrameBytes',
    flag: 'max-frame-bytes',
    env: 'CONFAB_MAX_FRAME_BYTES',
    kind: 'integer',
    default: LIMITS.maxFrameBytes,
    help: 'largest frame in bytes, line ending included',
  },
  {
    key: 'maxTextBytes',
    flag: 'max-text-bytes',
    env: 'CONFAB_MAX_TEXT_BYTES',
    kind: 'integer',
    default: LIMITS.maxTextBytes,
    help: 'largest message text in bytes of UTF-8',
  },
  {
    key: 'rateLimit',
    flag: 'rate-limit',
    env: 'CONFAB_RATE_LIMIT',
    kind: 'integer',
    default: 20,
    help: 'frames per second per connection (0: no limit)',
  },
  {
    key: 'rateBurst',
    flag: 'rate-burst',
    env: 'CONFAB_RATE_BURST',
    kind: 'integer',
    default: 40,
    help: 'frames a connection may send in a burst',
  },
  {
    key: 'rateQueue',
    flag: 'rate-queue',
    env: 'CONFAB_RATE_QUEUE',
    kind: 'integer',
    default: 100,
    help: 'frames over the rate a connection may have waiting for their turn (a paste); past it they are refused (0: refuse at once)',
  },
  {
    key: 'addressRate',
    flag: 'address-rate',
    env: 'CONFAB_ADDRESS_RATE',
    kind: 'integer',
    default: 50,
    help: 'messages and joins a second from one address across its connections, in bursts of twice as many (0: no limit)',
  },
  {
    key: 'registrationsPerHour',
    flag: 'registrations-per-hour',
    env: 'CONFAB_REGISTRATIONS_PER_HOUR',
    kind: 'integer',
    default: 10,
    help: 'new accounts an hour from one address; three times as many from its /24 (IPv4) or /64 (IPv6) network (0: no limit)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'CONFAB_MAX_CONNECTIONS',
    kind: 'integer',
    default: 10_000,
    help: 'open connections in total (0: no limit)',
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'CONFAB_MAX_CONNECTIONS_PER_IP',
    kind: 'integer',
    default: 64,
    help: 'open connections from one address (0: no limit)',
  },
  {
    key: 'maxHandshakesPerIp',
    flag: 'max-handshakes-per-ip',
    env: 'CONFAB_MAX_HANDSHAKES_PER_IP',
    kind: 'integer',
    default: 16,
    help: 'connections from one address still in their handshake (first bytes, request head, hello, a name being typed; 0: no limit)',
  },
  {
    key: 'handshakeTimeout',
    flag: 'handshake-timeout',
    env: 'CONFAB_HANDSHAKE_TIMEOUT',
    kind: 'integer',
    default: LIMITS.handshakeTimeoutMs,
    help: 'milliseconds to send hello after connecting',
  },
  {
    key: 'headTimeout',
    flag: 'head-timeout',
    env: 'CONFAB_HEAD_TIMEOUT',
    kind: 'integer',
    default: 10_000,
    help: 'milliseconds an HTTP client has to send a whole request head (then 408 and the connection closes)',
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origins',
    env: 'CONFAB_ALLOWED_ORIGINS',
    kind: 'string',
    default: '',
    placeholder: 'ORIGINS',
    help: "comma-separated origins (https://chat.example.org) whose web pages may open a WebSocket here, besides the server's own and this machine's (* for any)",
  },
  {
    key: 'webPage',
    flag: 'web-page',
    env: 'CONFAB_WEB_PAGE',
    kind: 'string',
    default: 'auto',
    placeholder: 'auto|off|DIR',
    help: 'the chat page at http://HOST:PORT/: auto (from @confab/client-gui when installed), off, or the folder of a built page',
  },
  {
    key: 'greetAfter',
    flag: 'greet-after',
    env: 'CONFAB_GREET_AFTER',
    kind: 'integer',
    default: 500,
    help: 'milliseconds a new connection may stay silent before it is taken for a person (nc) and asked for a name (0: never)',
  },
  {
    key: 'nameTimeout',
    flag: 'name-timeout',
    env: 'CONFAB_NAME_TIMEOUT',
    kind: 'integer',
    default: 120_000,
    help: 'milliseconds a person on plain text has to type a name',
  },
  {
    key: 'pingInterval',
    flag: 'ping-interval',
    env: 'CONFAB_PING_INTERVAL',
    kind: 'integer',
    default: 30_000,
    help: 'milliseconds of silence before a ping; as long again and the peer is gone',
  },
  {
    key: 'maxOutboundBytes',
    flag: 'max-outbound-bytes',
    env: 'CONFAB_MAX_OUTBOUND_BYTES',
    kind: 'integer',
    default: 1_048_576,
    help: 'bytes queued for a connection before it is dropped as too slow',
  },
  {
    key: 'replayRate',
    flag: 'replay-rate',
    env: 'CONFAB_REPLAY_RATE',
    kind: 'integer',
    default: 4_194_304,
    help: 'bytes a second of replays, history pages and member lists one address may be sent, across its connections, in bursts of 4 s worth (0: no limit)',
  },
  {
    key: 'replayReads',
    flag: 'replay-reads',
    env: 'CONFAB_REPLAY_READS',
    kind: 'integer',
    default: 500,
    help: 'history reads a second one address may cause, across its connections, in bursts of 4 s worth (0: no limit)',
  },
  {
    key: 'mailboxHistory',
    flag: 'mailbox-history',
    env: 'CONFAB_MAILBOX_HISTORY',
    kind: 'integer',
    default: 10_000,
    help: 'direct messages kept per mailbox (older ones go)',
  },
  {
    key: 'mailboxWaiting',
    flag: 'mailbox-waiting',
    env: 'CONFAB_MAILBOX_WAITING',
    kind: 'integer',
    default: 1_000,
    help: 'direct messages that may wait for someone away (a tenth of it from one sender); past it, mailbox_full',
  },
  {
    key: 'mailboxWaitingBytes',
    flag: 'mailbox-waiting-bytes',
    env: 'CONFAB_MAILBOX_WAITING_BYTES',
    kind: 'integer',
    default: 1_048_576,
    help: 'bytes of text that may wait for someone away (a tenth of it from one sender); past it, mailbox_full',
  },
  {
    key: 'guestMailboxDays',
    flag: 'guest-mailbox-days',
    env: 'CONFAB_GUEST_MAILBOX_DAYS',
    kind: 'integer',
    default: 30,
    help: "days a guest's direct messages are kept after the newest",
  },
  {
    key: 'shutdownTimeout',
    flag: 'shutdown-timeout',
    env: 'CONFAB_SHUTDOWN_TIMEOUT',
    kind: 'integer',
    default: 5_000,
    help: 'milliseconds a shutdown waits for clients before closing them',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'CONFAB_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    choices: LOG_LEVELS,
    help: 'log level',
  },
  {
    key: 'metricsPort',
    flag: 'metrics-port',
    env: 'CONFAB_METRICS_PORT',
    kind: 'integer',
    default: undefined,
    help: 'serve /metrics and /healthz on this port of --metrics-host, for monitoring (0: any free port)',
  },
  {
    key: 'metricsHost',
    flag: 'metrics-host',
    env: 'CONFAB_METRICS_HOST',
    kind: 'string',
    default: '127.0.0.1',
    placeholder: 'ADDRESS',
    help: 'address of --metrics-port',
  },
  {
    key: 'metricsToken',
    flag: 'metrics-token',
    env: 'CONFAB_METRICS_TOKEN',
    kind: 'string',
    default: undefined,
    placeholder: 'TOKEN',
    help: "serve /metrics on the chat port too, to requests with 'Authorization: Bearer TOKEN'",
  },
  {
    key: 'redis',
    flag: 'redis',
    env: 'CONFAB_REDIS_URL',
    kind: 'string',
    default: undefined,
    placeholder: 'URL',
    help: 'redis://HOST:PORT[/DB]: join the chat kept in this Redis (history, fan-out, names)',
  },
  {
    key: 'redisDurability',
    flag: 'redis-durability',
    env: 'CONFAB_REDIS_DURABILITY',
    kind: 'string',
    default: 'always',
    choices: ['always', 'everysec', 'none'],
    help: 'what Redis may lose of acked messages, checked at start: always (appendonly yes, appendfsync always: nothing), everysec (the last second if Redis crashes), none (not checked)',
  },
  {
    key: 'redisPrefix',
    flag: 'redis-prefix',
    env: 'CONFAB_REDIS_PREFIX',
    kind: 'string',
    default: 'confab:',
    placeholder: 'PREFIX',
    help: 'prefix of every Redis key and channel (chats with other prefixes share nothing)',
  },
  {
    key: 'redisHistory',
    flag: 'redis-history',
    env: 'CONFAB_REDIS_HISTORY',
    kind: 'integer',
    default: 100_000,
    help: 'messages kept per room in Redis (older ones are trimmed)',
  },
  {
    key: 'searchIndex',
    flag: 'search-index',
    env: 'CONFAB_SEARCH_INDEX',
    kind: 'string',
    default: 'file',
    choices: ['file', 'memory', 'off'],
    help: "with --redis: this node's copy of the search index, in a file under --data-dir (kept across restarts), in memory (read again from Redis at start), or off",
  },
  {
    key: 'nodeTtl',
    flag: 'node-ttl',
    env: 'CONFAB_NODE_TTL',
    kind: 'integer',
    default: 10_000,
    help: 'milliseconds without a heartbeat before a node is taken for dead (its users leave)',
  },
  {
    key: 'workers',
    flag: 'workers',
    env: 'CONFAB_WORKERS',
    kind: 'string',
    default: '1',
    placeholder: 'N|auto',
    help: 'server processes sharing the port (auto: one per core); more than 1 needs --redis',
  },
  {
    key: 'memoryTrim',
    flag: 'memory-trim',
    env: 'CONFAB_MEMORY_TRIM',
    kind: 'string',
    default: 'on',
    choices: ['on', 'off'],
    help: 'give memory back to the system when the server goes quiet after a burst (one full GC, tens of ms)',
  },
  {
    key: 'accounts',
    flag: 'accounts',
    env: 'CONFAB_ACCOUNTS',
    kind: 'string',
    default: 'optional',
    choices: ['required', 'optional', 'off'],
    help: 'accounts: optional (guests too), required (accounts only), off (names are never kept)',
  },
  {
    key: 'passwordCost',
    flag: 'password-cost',
    env: 'CONFAB_PASSWORD_COST',
    kind: 'integer',
    default: 14,
    help: "scrypt's cost for passwords, as log2 N (r 8, p 1): 14 is 16 MiB and tens of ms a login",
  },
  {
    key: 'loginRate',
    flag: 'login-rate',
    env: 'CONFAB_LOGIN_RATE',
    kind: 'integer',
    default: 10,
    help: 'password attempts per second from one address, in bursts of 3x (0: no limit); each name has 10, then 1 per 6 s',
  },
  {
    key: 'operators',
    flag: 'operators',
    env: 'CONFAB_OPERATORS',
    kind: 'string',
    default: '',
    placeholder: 'NAMES',
    help: "comma-separated account names of the server's operators: every room action anywhere, closing rooms, server bans, /users",
  },
  {
    key: 'operatorsFile',
    flag: 'operators-file',
    env: 'CONFAB_OPERATORS_FILE',
    kind: 'string',
    default: undefined,
    placeholder: 'FILE',
    help: 'a file naming operators, one account name a line (# starts a comment), with --operators',
  },
  {
    key: 'maxOwnedRooms',
    flag: 'max-owned-rooms',
    env: 'CONFAB_MAX_OWNED_ROOMS',
    kind: 'integer',
    default: 100,
    help: 'rooms an account may own; a room it makes past this has no owner (0: none)',
  },
];

/** The configuration with every default. */
export function defaultConfig(): ServerConfig {
  return Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])) as unknown as ServerConfig;
}

/** Checks and converts one setting's text (from a flag or the environment). */
export function parseSetting(setting: AnySetting, raw: string, source: string): unknown {
  if (setting.kind === 'integer') {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
      throw new ServerError(
        'config_invalid',
        `${source} must be a whole number of 0 or more, not "${raw}"`,
      );
    }
    return value;
  }
  if (setting.choices && !setting.choices.includes(raw)) {
    throw new ServerError(
      'config_invalid',
      `${source} must be one of ${setting.choices.join(', ')}, not "${raw}"`,
    );
  }
  return raw;
}

/** Checks a whole configuration: values in range, settings that go together. */
export function checkConfig(config: ServerConfig): ServerConfig {
  const fail = (message: string): never => {
    throw new ServerError('config_invalid', message);
  };
  if (config.port > 65_535) fail('--port must be at most 65535');
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined))
    fail('--tls-cert and --tls-key go together');
  if (config.maxFrameBytes < 1024) fail('--max-frame-bytes must be at least 1024');
  if (config.maxTextBytes < 1 || config.maxTextBytes * 6 + 512 > config.maxFrameBytes) {
    fail(
      '--max-text-bytes must be at least 1, and small enough that an escaped text fits in a frame (6 x text + 512 <= frame)',
    );
  }
  if (config.handshakeTimeout < 100) fail('--handshake-timeout must be at least 100 ms');
  if (config.nameTimeout < 100) fail('--name-timeout must be at least 100 ms');
  if (config.pingInterval < 100) fail('--ping-interval must be at least 100 ms');
  if (config.maxOutboundBytes < 2 * config.maxFrameBytes)
    fail('--max-outbound-bytes must be at least twice --max-frame-bytes');
  if (config.rateLimit > 0 && config.rateBurst < 1) fail('--rate-burst must be at least 1');
  if (config.redis !== undefined) {
    if (!/^rediss?:\/\//.test(config.redis))
      fail('--redis must be a URL like redis://127.0.0.1:6379 (or rediss:// for TLS)');
    config.store = 'redis';
  } else if (config.store === 'redis') fail('--store redis needs --redis URL');
  if (config.redisHistory < 1) fail('--redis-history must be at least 1');
  if (config.mailboxHistory < 1) fail('--mailbox-history must be at least 1');
  if (config.mailboxWaiting < 10) fail('--mailbox-waiting must be at least 10');
  if (config.mailboxWaitingBytes < 10 * config.maxTextBytes)
    fail('--mailbox-waiting-bytes must hold at least ten messages of --max-text-bytes');
  if (config.guestMailboxDays < 1) fail('--guest-mailbox-days must be at least 1');
  if (config.headTimeout < 100) fail('--head-timeout must be at least 100 ms');
  for (const origin of allowedOrigins(config))
    if (origin !== '*' && !isOrigin(origin))
      fail(`--allowed-origins: "${origin}" is not an origin like https://chat.example.org`);
  if (config.metricsPort !== undefined && config.metricsPort > 65_535)
    fail('--metrics-port must be at most 65535');
  if (config.metricsToken !== undefined && config.metricsToken.length < 16)
    fail('--metrics-token must be at least 16 characters');
  if (config.nodeTtl < 500) fail('--node-ttl must be at least 500 ms');
  if (config.passwordCost < 10 || config.passwordCost > 20)
    fail('--password-cost must be from 10 to 20 (log2 of scrypt N)');
  if (!/^(auto|[1-9]\d*)$/.test(config.workers))
    fail(`--workers must be a number of 1 or more, or auto, not "${config.workers}"`);
  if (config.workers !== '1' && config.redis === undefined)
    fail('--workers needs --redis: the worker processes share the chat through Redis');
  return config;
}

/** The origins of `--allowed-origins`, each as written. */
export function allowedOrigins(config: Pick<ServerConfig, 'allowedOrigins'>): string[] {
  return config.allowedOrigins
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/** Whether `text` is an origin: a scheme and host (and port), nothing else. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.origin === text.replace(/\/$/, '')
    );
  } catch {
    return false;
  }
}

/** The mailbox limits of a configuration (a tenth of each waiting bound from one sender). */
export function mailboxLimits(config: ServerConfig): MailboxLimits {
  return {
    history: config.mailboxHistory,
    waiting: config.mailboxWaiting,
    waitingBytes: config.mailboxWaitingBytes,
    waitingPerSender: Math.ceil(config.mailboxWaiting / 10),
    waitingBytesPerSender: Math.ceil(config.mailboxWaitingBytes / 10),
    guestTtlMs: config.guestMailboxDays * 24 * 60 * 60 * 1000,
  };
}
