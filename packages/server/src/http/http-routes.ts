import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** What the HTTP side of the port serves. */
export interface HttpRoutesOptions {
  /** `/healthz`: a JSON status; `status: 'ok'` answers 200, anything else 503. */
  health: () => { status: string } & Record<string, unknown>;
  /** `/metrics`: Prometheus text. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** A WebSocket opened at `/ws`, with the socket it runs on. */
  webSocket: (ws: WebSocket, request: IncomingMessage, socket: Duplex) => void;
  /** Largest WebSocket message read; longer ones close the link (1009). */
  maxPayload: number;
}

const INDEX = `This is a Confab chat server.
  Plain text:  nc HOST PORT   (type your name, then talk; <quit> leaves)
  WebSocket:   ws://HOST:PORT/ws   (one JSON frame per text message)
  JSON stream: one JSON object per line over TCP, starting with {"type":"hello",...}
  Health:      /healthz    Metrics: /metrics
`;

/**
 * The HTTP side of the one port: `/ws` upgrades to WebSocket (the `ws`
 * library), `/healthz` and `/metrics` answer, `/` says what this is.
 */
export class HttpRoutes {
  readonly server: http.Server;
  readonly webSockets: WebSocketServer;
  /** Sockets handed over by the listener: closed at shutdown, keep-alive or not. */
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly options: HttpRoutesOptions) {
    this.server = http.createServer((request, response) => void this.respond(request, response));
    this.server.keepAliveTimeout = 5_000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 10_000;
    // ws reads messages up to maxPayload; the transport refuses those over the frame limit itself.
    this.webSockets = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Serves one socket the listener found to speak HTTP. */
  accept(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.server.emit('connection', socket);
    socket.resume();
  }

  /** Closes every HTTP connection still open (WebSockets have their sessions closed first). */
  close(): void {
    this.webSockets.close();
    for (const socket of this.sockets) socket.destroy();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.webSockets.handleUpgrade(request, socket, head, (ws) =>
      this.options.webSocket(ws, request, socket),
    );
  }

  private async respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
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
        const { contentType, body } = await this.options.metrics();
        response
          .writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' })
          .end(body);
      } else if (path === '/') {
        response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(INDEX);
      } else {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      }
    } catch {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  }
}
