import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { ErrorFrame } from '@confab/protocol';
import { encodeFrame, encodeFrameText, foldName } from '@confab/protocol';
import { addressKey } from './net/address-group.js';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { LocalBus } from './bus/local-bus.js';
import type { Cluster } from './cluster/cluster.js';
import { allowedOrigins, checkConfig, defaultConfig, mailboxLimits } from './config.js';
import type { ServerConfig } from './config.js';
import { appendThenPublish } from './core/append-then-publish.js';
import { ChatCore } from './core/chat-core.js';
import type {
  AccountStore,
  Bus,
  DirectPoster,
  Directory,
  HistoryStore,
  IdSource,
  MessagePoster,
  ChangePoster,
  ChangeStore,
  RoomStore,
  SearchIndex,
  ReadMarkerStore,
} from './core/ports.js';
import { MemoryDirectory } from './directory/memory-directory.js';
import { ServerError } from './errors.js';
import { HttpRoutes } from './http/http-routes.js';
import { findWebPage } from './http/web-page.js';
import type { WebPage } from './http/web-page.js';
import { MetricsServer } from './http/metrics-server.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { MemoryTrimmer } from './memory-trim.js';
import { Listener } from './net/listener.js';
import type { ByteStream } from './net/listener.js';
import { Session } from './session/session.js';
import type { SessionContext, SessionStats } from './session/session.js';
import { AddressBudgets } from './session/address-budget.js';
import { AddressRates } from './session/pacing.js';
import type { PacingLimits } from './session/pacing.js';
import { Sweeper } from './session/sweeper.js';
import { Auth } from './accounts/auth.js';
import type { AuthThrottles } from './accounts/auth.js';
import { MemoryThrottle, loginRates, registrationRates } from './accounts/throttle.js';
import type { Throttle, ThrottleRate } from './accounts/throttle.js';
import { CountingPoster } from './store/counting-poster.js';
import { MemoryAccounts } from './store/memory-accounts.js';
import { MemoryRooms } from './store/memory-rooms.js';
import { MemoryReadMarkers } from './store/memory-read-markers.js';
import { MemoryStore } from './store/memory-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { Connection, TransportKind } from './transport/connection.js';
import { FlushScheduler } from './transport/flush-scheduler.js';
import { JsonStreamConnection } from './transport/json-stream.js';
import { endOrDestroy } from './transport/socket-connection.js';
import type { StreamTransportContext } from './transport/socket-connection.js';
import {
  NAME_TIMEOUT_BYTES,
  SERVER_FULL_BYTES,
  greetingBytes,
  terminalBytes,
} from './transport/plain-notices.js';
import { PlainTextConnection } from './transport/plain-text.js';
import { newTransportStats } from './transport/stats.js';
import { WebSocketConnection } from './transport/websocket.js';
import { SERVER_VERSION } from './version.js';

/** Options of {@link createServer}: any setting, plus ports to plug in other backends. */
export interface ServerOptions extends Partial<ServerConfig> {
  /** A logger to use instead of one made from `logLevel`. */
  logger?: Logger;
  /**
   * History, fan-out and presence; in-process ones by default (Redis ones
   * with `redis`). A `poster` must keep a room's messages in seq order on
   * the bus; by default the store appends, then the bus publishes.
   */
  ports?: {
    store?: HistoryStore;
    bus?: Bus;
    directory?: Directory;
    poster?: MessagePoster;
    accounts?: AccountStore;
    rooms?: RoomStore;
    changes?: ChangeStore;
    /** The full-text index of `store` (a memory store is its own). */
    search?: SearchIndex;
    readMarkers?: ReadMarkerStore;
  };
  /** This node's id in a cluster. @default random */
  node?: string;
}

/** A running server's address. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** What a connection over the limits is told, in its own transport. */
const SERVER_FULL: ErrorFrame = {
  type: 'error',
  code: 'server_full',
  message: 'the server is full; try again later',
};
const FULL_LINE = encodeFrame(SERVER_FULL);

/**
 * The changes part of a history store given without one: a memory store
 * has its own; any other needs `ports.changes` beside it (edits and deletes
 * work on the store's own messages).
 */
function changesOf(store: HistoryStore): ChangeStore {
  if (store instanceof MemoryStore) return store.changes;
  throw new ServerError('config_invalid', 'ports.store needs ports.changes beside it');
}

/** A message as a sentence: a capital first, a full stop last. */
function sentenceOf(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Unique ids: a per-start prefix (time and randomness) and a counter. */
function idSource(): IdSource {
  const prefix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let counter = 0;
  return { next: () => `${prefix}-${(counter++).toString(36)}` };
}

/**
 * A Confab server: one port for the JSON stream, WebSocket, TLS and plain
 * text; the chat core behind sessions; history in SQLite or memory; logs,
 * metrics and an ordered, idempotent shutdown.
 */
export class ConfabServer {
  readonly config: ServerConfig;
  readonly logger: Logger;
  private readonly options: ServerOptions;
  private readonly sessions = new Map<number, Session>();
  private readonly transportStats = newTransportStats();
  private readonly sessionStats: SessionStats = { rateLimited: 0, errorsSent: 0 };
  private readonly scheduler = new FlushScheduler();
  private nextSessionId = 1;
  private listener: Listener | undefined;
  private http: HttpRoutes | undefined;
  /** The chat page served at `/`, when there is one. */
  private page: WebPage | undefined;
  private metricsServer: MetricsServer | undefined;
  private sweeper: Sweeper | undefined;
  private trimmer: MemoryTrimmer | undefined;
  private core: ChatCore | undefined;
  private store: HistoryStore | undefined;
  private bus: Bus | undefined;
  private directory: Directory | undefined;
  private accounts: AccountStore | undefined;
  /** Rooms' records, the server's bans and the moderation log. */
  private rooms: RoomStore | undefined;
  /** Password attempts and new accounts per name, address and network: shared by a cluster's nodes, in Redis. */
  private throttles: AuthThrottles | undefined;
  private poster: CountingPoster | undefined;
  /** Changes to room messages (reactions, edits, deletes), beside the history. */
  private changes: ChangeStore | undefined;
  /** The history's full-text index; a cluster keeps none yet. */
  private search: SearchIndex | undefined;
  /** Where each identity has read up to, beside the history. */
  private readMarkers: ReadMarkerStore | undefined;
  /** The cluster's, which publishes in the step that numbers; alone, the core's default. */
  private changePoster: ChangePoster | undefined;
  /** The cluster's, which publishes in the step that keeps; alone, the core's default. */
  private directPoster: DirectPoster | undefined;
  /** Set when this process is a node of a Redis cluster. */
  private cluster: Cluster | undefined;
  private closing: Promise<void> | undefined;
  /** What every session shares: made once, not per connection. */
  private sessionContext: SessionContext | undefined;
  private startedAt = 0;

  constructor(options: ServerOptions = {}) {
    const { logger, ports: _ports, node: _node, ...settings } = options;
    const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    this.config = checkConfig({ ...defaultConfig(), ...defined });
    this.options = options;
    this.logger = logger ?? createLogger(this.config.logLevel);
  }

  /** Opens the store and starts listening. */
  async listen(): Promise<ServerAddress> {
    const config = this.config;
    const now = () => Date.now();
    const secureContext = this.loadTls();
    const node = this.options.node ?? randomBytes(6).toString('hex');
    await this.openPorts(node);
    this.core = new ChatCore({
      node,
      rooms: this.rooms!,
      operators: this.operatorNames(),
      maxOwnedRooms: config.maxOwnedRooms,
      onBanned: (sessionId) => this.sessions.get(sessionId)?.banned(),
      addressKey: (address) => (isIP(address) === 0 ? undefined : addressKey(address)),
      serverName: `confab/${SERVER_VERSION}`,
      store: this.store!,
      bus: this.bus!,
      directory: this.directory!,
      poster: this.poster,
      changes: this.changes!,
      ...(this.search ? { search: this.search } : {}),
      ...(this.readMarkers ? { readMarkers: this.readMarkers } : {}),
      ...(this.changePoster ? { changePoster: this.changePoster } : {}),
      ...(this.directPoster ? { directPoster: this.directPoster } : {}),
      clock: { now },
      ids: idSource(),
      maxFrameBytes: config.maxFrameBytes,
      onRevoked: (sessionId) => this.sessions.get(sessionId)?.revoked(),
      onReplaced: (sessionId) => this.sessions.get(sessionId)?.replaced(),
      ...(config.accounts === 'off' ? {} : { accounts: this.accounts! }),
    });
    await this.core.start();
    const pacing: PacingLimits = {
      perSecond: config.rateLimit,
      burst: config.rateBurst,
      addressPerSecond: config.addressRate,
      addressBurst: 2 * config.addressRate,
      queue: config.rateQueue,
    };
    const auth = new Auth({
      accounts: this.accounts!,
      cost: { log2N: config.passwordCost, r: 8, p: 1 },
      ...this.throttles!,
      now,
    });
    this.sessionContext = {
      core: this.core,
      accounts: {
        mode: config.accounts,
        store: this.accounts!,
        auth,
        bus: this.bus!,
        now,
        looksLikeSomeoneHere: (name) => this.core!.looksLikeSomeoneHere(name),
      },
      limits: {
        maxTextBytes: config.maxTextBytes,
        maxFrameBytes: config.maxFrameBytes,
        pacing,
        handshakeTimeoutMs: config.handshakeTimeout,
        nameTimeoutMs: config.nameTimeout,
        pingIntervalMs: config.pingInterval,
        pageLowWater: Math.floor(config.maxOutboundBytes / 4),
      },
      stats: this.sessionStats,
      addressRates: new AddressRates(pacing),
      budgets: new AddressBudgets(
        { bytesPerSecond: config.replayRate, readsPerSecond: config.replayReads },
        now,
        (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      ),
      now,
      logger: this.logger,
      ended: (ended) => {
        this.sessions.delete(ended.sessionId);
        this.sweeper?.delete(ended);
      },
    };
    const sweepMs = Math.max(
      25,
      Math.min(
        1_000,
        Math.floor(Math.min(config.handshakeTimeout, config.nameTimeout, config.pingInterval) / 4),
      ),
    );
    this.sweeper = new Sweeper(sweepMs, now);
    const streamContext: StreamTransportContext = {
      scheduler: this.scheduler,
      stats: this.transportStats,
      maxFrameBytes: config.maxFrameBytes,
      maxOutboundBytes: config.maxOutboundBytes,
    };
    const registry = createMetrics({
      transport: this.transportStats,
      session: this.sessionStats,
      connections: () => this.connectionCounts(),
      users: () => this.core?.userCount ?? 0,
      rooms: () => this.core?.roomCount ?? 0,
      messagesStored: () => this.poster?.stored ?? 0,
      memoryTrims: () => this.trimmer?.count ?? 0,
      hashBacklog: () => auth.hashBacklog,
      ...(this.cluster ? { cluster: () => this.cluster!.status() } : {}),
    });
    const metrics = async () => ({
      contentType: registry.contentType,
      body: await registry.metrics(),
    });
    this.page = findWebPage(config.webPage);
    if (!this.page && config.webPage !== 'auto' && config.webPage !== 'off')
      throw new ServerError(
        'config_invalid',
        `--web-page: no built page (index.html) in ${config.webPage}`,
      );
    this.http = new HttpRoutes({
      health: () => this.health(),
      metrics,
      metricsAccess: config.metricsToken === undefined ? 'off' : { token: config.metricsToken },
      webSocket: (ws, request, socket) => this.openWebSocket(ws, request, socket, streamContext),
      maxPayload: 4 * config.maxFrameBytes,
      headTimeoutMs: config.headTimeout,
      allowedOrigins: allowedOrigins(config),
      page: this.page,
    });
    this.listener = new Listener({
      sweeper: this.sweeper,
      now,
      secureContext,
      handshakeTimeoutMs: config.handshakeTimeout,
      greeting: {
        afterMs: config.greetAfter,
        bytes: greetingBytes(`confab/${SERVER_VERSION}`),
        fullBytes: SERVER_FULL_BYTES,
        timeoutMs: config.nameTimeout,
        timeoutBytes: NAME_TIMEOUT_BYTES,
        refusal: (address) => {
          const banned = this.core!.addressBanned(addressKey(address));
          return banned === undefined ? undefined : terminalBytes([`! ${sentenceOf(banned)}`]);
        },
      },
      maxConnections: config.maxConnections,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      maxHandshakesPerIp: config.maxHandshakesPerIp,
      keepAliveMs: config.pingInterval,
      routes: {
        stream: (socket, kind, full) => this.openStream(socket, kind, full, streamContext),
        http: (socket, full) => {
          (socket as ByteStream & { confabFull?: boolean }).confabFull = full;
          this.http!.accept(socket);
        },
      },
    });
    try {
      await this.listener.listen(config.port, config.host);
    } catch (error) {
      await this.closePorts();
      throw new ServerError(
        'listen_failed',
        `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (config.metricsPort !== undefined) {
      this.metricsServer = new MetricsServer({ metrics, health: () => this.health() });
      try {
        const { port } = await this.metricsServer.listen(config.metricsPort, config.metricsHost);
        this.logger.info({ host: config.metricsHost, port }, 'metrics listening');
      } catch (error) {
        await this.listener.stop();
        await this.closePorts();
        throw new ServerError(
          'listen_failed',
          `cannot serve metrics on ${config.metricsHost}:${config.metricsPort}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    this.startedAt = Date.now();
    if (config.memoryTrim === 'on') this.trimmer = this.startMemoryTrim();
    const address = this.address();
    this.logger.info(
      { ...address, store: config.store, tls: secureContext !== undefined, page: this.page?.dir },
      'listening',
    );
    return address;
  }

  /**
   * History, fan-out and presence: those given in `ports`, else Redis ones
   * with `redis` (loaded only then), else SQLite or memory and in-process ones.
   */
  private async openPorts(node: string): Promise<void> {
    const { config, options } = this;
    const given = options.ports ?? {};
    if (config.redis !== undefined && !options.ports) {
      const { joinCluster } = await import('./cluster/cluster.js');
      this.cluster = await joinCluster({
        url: config.redis,
        node,
        prefix: config.redisPrefix,
        historyPerRoom: config.redisHistory,
        mailbox: mailboxLimits(config),
        durability: config.redisDurability,
        searchIndex:
          config.searchIndex === 'file' ? { dataDir: config.dataDir } : config.searchIndex,
        nodeTtlMs: config.nodeTtl,
        logger: this.logger,
        onReaped: () => this.reconnectEveryone(),
        onNamesLost: (nameKeys) => this.dropUsers(new Set(nameKeys)),
      });
      this.store = this.cluster.store;
      this.changes = this.cluster.changes;
      this.changePoster = this.cluster.bus;
      this.bus = this.cluster.bus;
      this.directory = this.cluster.directory;
      this.accounts = this.cluster.accounts;
      this.rooms = this.cluster.rooms;
      this.readMarkers = this.cluster.readMarkers;
      this.search = this.cluster.search;
      this.throttles = this.makeThrottles((rate) => this.cluster!.throttle(rate));
      this.poster = new CountingPoster(this.cluster.bus);
      this.directPoster = this.cluster.bus;
      return;
    }
    const sqlite =
      given.store === undefined && config.store !== 'memory'
        ? await SqliteStore.open({ dataDir: config.dataDir, mailbox: mailboxLimits(config) })
        : undefined;
    this.store = given.store ?? sqlite ?? new MemoryStore({ mailbox: mailboxLimits(config) });
    this.changes = given.changes ?? sqlite?.changes ?? changesOf(this.store);
    this.search =
      given.search ??
      sqlite?.search ??
      (this.store instanceof MemoryStore ? this.store : undefined);
    this.readMarkers = given.readMarkers ?? sqlite?.readMarkers ?? new MemoryReadMarkers();
    this.accounts = given.accounts ?? sqlite?.accounts ?? new MemoryAccounts();
    this.rooms = given.rooms ?? sqlite?.rooms ?? new MemoryRooms();
    this.throttles = this.makeThrottles((rate) => new MemoryThrottle(rate));
    this.bus = given.bus ?? new LocalBus();
    this.directory = given.directory ?? new MemoryDirectory(node);
    this.poster = new CountingPoster(given.poster ?? appendThenPublish(this.store, this.bus));
  }

  /** Folded names of the operators: `--operators` and the names in `--operators-file`. */
  private operatorNames(): Set<string> {
    const { operators, operatorsFile } = this.config;
    const names = operators.split(',');
    if (operatorsFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(operatorsFile, 'utf8');
      } catch (error) {
        throw new ServerError(
          'config_invalid',
          `cannot read --operators-file ${operatorsFile}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      for (const line of text.split('\n')) names.push(line.replace(/#.*/, ''));
    }
    return new Set(
      names
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map(foldName),
    );
  }

  /** The throttles of logins and new accounts, at the configured rates. */
  private makeThrottles(make: (rate: ThrottleRate) => Throttle): AuthThrottles {
    const logins = loginRates(this.config.loginRate);
    const registrations = registrationRates(this.config.registrationsPerHour);
    return {
      byName: make(logins.byName),
      byAddress: make(logins.byAddress),
      registrationsByAddress: make(registrations.byAddress),
      registrationsByNetwork: make(registrations.byNetwork),
    };
  }

  private async closePorts(): Promise<void> {
    await this.cluster?.close();
    await this.bus?.close();
    await this.directory?.close();
    await this.store?.close();
  }

  /** The cluster took this node for dead while it lived: every user comes back through a reconnect. */
  private reconnectEveryone(): void {
    for (const session of this.sessions.values()) void session.shutdown();
  }

  /** Ends the sessions of users whose names another node holds now. */
  private dropUsers(nameKeys: ReadonlySet<string>): void {
    for (const session of this.sessions.values())
      if (session.user && nameKeys.has(session.user.key)) session.connection.destroy();
  }

  /** Where `/metrics` is served on its own (`metricsPort`), once listening; undefined when it is not. */
  metricsAddress(): ServerAddress | undefined {
    return this.metricsServer?.address();
  }

  /** Where the server listens. */
  address(): ServerAddress {
    const info = this.listener?.server.address() as AddressInfo | null | undefined;
    if (!info) throw new ServerError('listen_failed', 'the server is not listening');
    return { host: info.address, port: info.port };
  }

  /**
   * Shuts down in order, once however often it is called: stop accepting,
   * store what is pending (so its acks go out), run the `<quit>` handshake
   * from the server's side with every client (`server_shutdown`), close
   * those that do not leave in time, then close the store.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (!this.listener) return;
    this.logger.info({ sessions: this.sessions.size }, 'shutting down');
    const stopped = this.listener.stop();
    await this.store?.flush();
    // In a cluster the other nodes' users stay and must hear who left; alone,
    // everyone is being told the server stops.
    const announce = this.cluster !== undefined;
    await Promise.all([...this.sessions.values()].map((session) => session.shutdown(announce)));
    await this.waitForSessions(this.config.shutdownTimeout);
    for (const session of this.sessions.values()) session.connection.destroy();
    this.http?.close();
    await this.metricsServer?.close();
    await stopped;
    this.sweeper?.stop();
    this.trimmer?.stop();
    await this.closePorts();
    this.logger.info('stopped');
  }

  private waitForSessions(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (this.sessions.size === 0 || Date.now() >= deadline) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  }

  private startMemoryTrim(): MemoryTrimmer {
    const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    return new MemoryTrimmer(({ rssBeforeBytes, rssAfterBytes, pauseMs }) =>
      this.logger.info(
        {
          rssBeforeMB: mb(rssBeforeBytes),
          rssAfterMB: mb(rssAfterBytes),
          pauseMs: Math.round(pauseMs),
        },
        'quiet after a burst: memory given back',
      ),
    );
  }

  private loadTls(): SecureContext | undefined {
    const { tlsCert, tlsKey } = this.config;
    if (tlsCert === undefined || tlsKey === undefined) return undefined;
    try {
      return tls.createSecureContext({ cert: readFileSync(tlsCert), key: readFileSync(tlsKey) });
    } catch (error) {
      throw new ServerError(
        'tls_invalid',
        `cannot use the TLS certificate and key: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private openStream(
    socket: ByteStream,
    kind: 'json' | 'plain',
    full: boolean,
    context: StreamTransportContext,
  ): void {
    if (full || this.closing) {
      endOrDestroy(socket, kind === 'json' ? FULL_LINE : SERVER_FULL_BYTES);
      return;
    }
    const connection =
      kind === 'json'
        ? new JsonStreamConnection(socket, context)
        : new PlainTextConnection(socket, context);
    this.startSession(connection);
  }

  private openWebSocket(
    ws: WebSocket,
    request: IncomingMessage,
    raw: Duplex,
    context: StreamTransportContext,
  ): void {
    const socket = request.socket as typeof request.socket & {
      confabFull?: boolean;
      encrypted?: boolean;
    };
    if (socket.confabFull || this.closing) {
      ws.send(encodeFrameText(SERVER_FULL));
      ws.close(1013, 'server_full');
      return;
    }
    this.startSession(
      new WebSocketConnection(
        ws,
        raw,
        socket.remoteAddress ?? 'unknown',
        socket.encrypted === true,
        context,
      ),
    );
  }

  private startSession(connection: Connection): void {
    const session = new Session(this.nextSessionId++, connection, this.sessionContext!);
    this.sessions.set(session.sessionId, session);
    this.sweeper!.add(session);
    connection.resumeReading();
  }

  private connectionCounts(): Record<TransportKind, number> {
    const counts: Record<TransportKind, number> = { json: 0, ws: 0, plain: 0 };
    for (const session of this.sessions.values()) counts[session.connection.kind]++;
    return counts;
  }

  /** `ok`, or `degraded` while Redis is out of reach (new messages are refused), or `stopping`. */
  private health(): { status: string } & Record<string, unknown> {
    const cluster = this.cluster?.status();
    return {
      status: this.closing ? 'stopping' : cluster?.redis === 'down' ? 'degraded' : 'ok',
      version: SERVER_VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      connections: this.sessions.size,
      users: this.core?.userCount ?? 0,
      rooms: this.core?.roomCount ?? 0,
      store: this.config.store,
      ...(cluster ? { cluster } : {}),
    };
  }
}

/** Makes a server; call `listen()` to start it and `close()` to stop it. */
export function createServer(options: ServerOptions = {}): ConfabServer {
  return new ConfabServer(options);
}
