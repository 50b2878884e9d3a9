import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { originAllowed } from './origins.js';
import type { WebPage } from './web-page.js';

/** What the HTTP side of the port serves. */
export interface HttpRoutesOptions {
  /** `/healthz`: a JSON status; `status: 'ok'` answers 200, anything else 503. */
  health: () => { status: string } & Record<string, unknown>;
  /** `/metrics`: Prometheus text. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /**
   * Who may read `/metrics` here: `token` (a request with
   * `Authorization: Bearer <token>`), or nobody (`off`: it is served on an
   * address of its own, or not at all).
   */
  metricsAccess: { token: string } | 'off';
  /** A WebSocket opened at `/ws`, with the socket it runs on. */
  webSocket: (ws: WebSocket, request: IncomingMessage, socket: Duplex) => void;
  /** Largest WebSocket message read; longer ones close the link (1009). */
  maxPayload: number;
  /** Milliseconds a client has to send a whole request head; then 408 and the socket closes. */
  headTimeoutMs: number;
  /** Origins whose pages may open a WebSocket besides the server's own and this machine's (`*`: any). */
  allowedOrigins: readonly string[];
  /** The chat page, served at `/`; without it `/` says what this is in plain text. */
  page?: WebPage;
}

const INDEX = `This is a Confab chat server.
  Plain text:  nc HOST PORT   (type your name, then talk; <quit> leaves)
  WebSocket:   ws://HOST:PORT/ws   (one JSON frame per text message)
  JSON stream: one JSON object per line over TCP, starting with {"type":"hello",...}
  Health:      /healthz
`;

/** Largest request head read (bytes); past it, 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** A raw HTTP answer written to a socket that has no response object (a refused upgrade, a bad head). */
function rawAnswer(
  status: number,
  reason: string,
  headers: Record<string, string> = {},
  body = '',
): string {
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Sockets waiting for a request head, and until when. */
const HEAD_DEADLINE = Symbol('confab.headDeadline');
type Timed = Duplex & { [HEAD_DEADLINE]?: NodeJS.Timeout };

/**
 * The HTTP side of the one port: `/ws` upgrades to WebSocket (the `ws`
 * library), `/healthz` and `/metrics` answer, `/` is the chat page (or, with
 * none installed, says what this is).
 *
 * Every request head must come whole within `headTimeoutMs` (a client
 * sending one slowly holds a connection for nothing: 408), and within 16
 * KiB (431). A WebSocket upgrade must be version 13 (426) and come from a
 * page the server trusts (403): no `Origin` (a program), the server's own
 * origin, this machine's, or one configured.
 */
export class HttpRoutes {
  readonly server: http.Server;
  readonly webSockets: WebSocketServer;
  /** Sockets handed over by the listener: closed at shutdown, keep-alive or not. */
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly options: HttpRoutesOptions) {
    this.server = http.createServer(
      { maxHeaderSize: MAX_HEAD_BYTES },
      (request, response) => void this.respond(request, response),
    );
    this.server.keepAliveTimeout = 5_000;
    // ws reads messages up to maxPayload; the transport refuses those over the frame limit itself.
    this.webSockets = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.headCame(socket);
      this.upgrade(request, socket, head);
    });
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      this.clientError(error, socket),
    );
  }

  /** Serves one socket the listener found to speak HTTP. */
  accept(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.headCame(socket);
    });
    this.awaitHead(socket);
    this.server.emit('connection', socket);
    socket.resume();
  }

  /** Closes every HTTP connection still open (WebSockets have their sessions closed first). */
  close(): void {
    this.webSockets.close();
    for (const socket of this.sockets) socket.destroy();
  }

  /** A request head must come whole in time: on a new connection, and after each answer on a kept-alive one. */
  private awaitHead(socket: Duplex): void {
    const timed = socket as Timed;
    clearTimeout(timed[HEAD_DEADLINE]);
    timed[HEAD_DEADLINE] = setTimeout(() => {
      if (!socket.destroyed)
        socket.end(
          rawAnswer(
            408,
            'Request Timeout',
            { 'Content-Type': 'text/plain' },
            'request head too slow\n',
          ),
        );
      setTimeout(() => socket.destroy(), 1_000).unref();
    }, this.options.headTimeoutMs);
    timed[HEAD_DEADLINE].unref();
  }

  private headCame(socket: Duplex): void {
    const timed = socket as Timed;
    clearTimeout(timed[HEAD_DEADLINE]);
    timed[HEAD_DEADLINE] = undefined;
  }

  private clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? rawAnswer(431, 'Request Header Fields Too Large')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawAnswer(408, 'Request Timeout')
          : rawAnswer(400, 'Bad Request');
    socket.end(answer);
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/ws') {
      socket.end(rawAnswer(404, 'Not Found'));
      return;
    }
    if (request.headers['sec-websocket-version'] !== '13') {
      socket.end(rawAnswer(426, 'Upgrade Required', { 'Sec-WebSocket-Version': '13' }));
      return;
    }
    if (!originAllowed(request.headers.origin, request.headers.host, this.options.allowedOrigins)) {
      socket.end(
        rawAnswer(403, 'Forbidden', { 'Content-Type': 'text/plain' }, 'origin not allowed\n'),
      );
      return;
    }
    this.webSockets.handleUpgrade(request, socket, head, (ws) =>
      this.options.webSocket(ws, request, socket),
    );
  }

  private async respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const socket = request.socket;
    this.headCame(socket);
    // A kept-alive connection's next head must come in time too.
    response.once('finish', () => {
      if (!socket.destroyed) this.awaitHead(socket);
    });
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === '/healthz') {
        const health = this.options.health();
        response.writeHead(health.status === 'ok' ? 200 : 503, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
        });
        response.end(JSON.stringify(health));
      } else if (path === '/metrics') {
        await this.metrics(request, response);
      } else {
        this.pageFile(path ?? '/', request, response);
      }
    } catch {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  }

  /** A file of the chat page; without the page, `/` says what this server is. */
  private pageFile(path: string, request: IncomingMessage, response: ServerResponse): void {
    const answer = this.options.page?.answer(path, request.headers['if-none-match']);
    if (answer) {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.status === 200 && request.method === 'GET' ? answer.body : undefined);
    } else if (path === '/') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(INDEX);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  }

  /** `/metrics` for whoever has the token; for nobody else (they are not for the chat's users). */
  private async metrics(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const access = this.options.metricsAccess;
    if (access === 'off') {
      response
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('not found: metrics are served with --metrics-port or --metrics-token\n');
      return;
    }
    if (!sameSecret(request.headers.authorization ?? '', `Bearer ${access.token}`)) {
      response
        .writeHead(401, {
          'Content-Type': 'text/plain; charset=utf-8',
          'WWW-Authenticate': 'Bearer realm="confab metrics"',
        })
        .end('metrics need the token of --metrics-token\n');
      return;
    }
    const { contentType, body } = await this.options.metrics();
    response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body);
  }
}
