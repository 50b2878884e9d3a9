import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the metrics address serves. */
export interface MetricsServerOptions {
  metrics: () => Promise<{ contentType: string; body: string }>;
  health: () => { status: string } & Record<string, unknown>;
}

/**
 * `/metrics` (and `/healthz`) on an address of their own (`--metrics-port`,
 * on `--metrics-host`: loopback by default), for a monitoring system: the
 * chat's port does not tell its users how the server is doing.
 */
export class MetricsServer {
  private readonly server: http.Server;

  constructor(private readonly options: MetricsServerOptions) {
    this.server = http.createServer((request, response) => void this.respond(request, response));
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 10_000;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Where it listens. */
  address(): { host: string; port: number } | undefined {
    const info = this.server.address() as AddressInfo | null;
    return info ? { host: info.address, port: info.port } : undefined;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async respond(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics') {
        const { contentType, body } = await this.options.metrics();
        response
          .writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' })
          .end(body);
      } else if (path === '/healthz') {
        const health = this.options.health();
        response
          .writeHead(health.status === 'ok' ? 200 : 503, {
            'Content-Type': 'application/json',
            'Cache-Control': 'no-store',
          })
          .end(JSON.stringify(health));
      } else response.writeHead(404).end();
    } catch {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  }
}
