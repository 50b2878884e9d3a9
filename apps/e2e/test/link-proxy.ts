import net from 'node:net';

/** Which way bytes go through the proxy. */
export type Direction = 'to-server' | 'to-client';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for the faults a real
 * link has: bytes lost one way (a link dying as they were written), a link
 * that goes silent both ways while staying open, and a link that drops.
 * Every connection through it is a pair of sockets; what is lost is read and
 * thrown away, so neither end notices until the link drops.
 */
export class LinkProxy {
  readonly port: number;
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private readonly losing = new Set<Direction>();
  /** Connections made through the proxy since it started. */
  connections = 0;
  /** The first 64 KiB that went each way, as text: what a test may look for. */
  readonly seen: Record<Direction, string> = { 'to-server': '', 'to-client': '' };
  /** Bytes lost each way since the proxy started. */
  readonly lost: Record<Direction, number> = { 'to-server': 0, 'to-client': 0 };

  private constructor(server: net.Server) {
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  static async start(target: number): Promise<LinkProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new LinkProxy(server);
    server.on('connection', (client: net.Socket) => proxy.pipe(client, target));
    return proxy;
  }

  /** From now on, bytes going this way (or both, when silent) are lost. */
  lose(...directions: Direction[]): void {
    for (const direction of directions) this.losing.add(direction);
  }

  /** Bytes go through again. */
  restore(): void {
    this.losing.clear();
  }

  /** Cuts every link through the proxy, both ends at once; new ones may come. */
  drop(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.restore();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: net.Socket, target: number): void {
    this.connections++;
    const upstream = net.connect(target, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket, direction: Direction) => {
      from.on('data', (chunk: Buffer) => {
        if (this.losing.has(direction)) this.lost[direction] += chunk.length;
        else if (!to.destroyed) {
          to.write(chunk);
          if (this.seen[direction].length < 65_536) this.seen[direction] += chunk.toString('utf8');
        }
      });
      from.on('close', () => {
        this.pairs.delete(pair);
        to.destroy();
      });
      from.on('error', () => undefined);
    };
    forward(client, upstream, 'to-server');
    forward(upstream, client, 'to-client');
  }
}
