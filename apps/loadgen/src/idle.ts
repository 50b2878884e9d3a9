import net from 'node:net';
import { memory } from './proc.js';
import { startServer } from './servers.js';
import { nowMs } from './stats.js';

/** One idle-connection run (W2). */
export interface IdleResult {
  label: string;
  workload: 'W2';
  clients: number;
  connectSeconds: number;
  rssBeforeMB: number;
  /** One second after the last connection registered: the burst's garbage is still there. */
  rssJustAfterMB: number;
  /** After {@link IDLE_MS} of idling: what idle connections hold. */
  rssAfterMB: number;
  bytesPerConnectionJustAfter: number;
  bytesPerConnection: number;
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long the server idles before its memory is read. W2 asks what idle
 * connections cost, and a server that has just taken a storm of connections
 * still holds the storm (V8's young generation grown to tens of MB): the
 * server gives that back once it has been quiet for a few seconds, so the
 * figure is read after that. The reading one second after the storm is
 * reported beside it.
 */
export const IDLE_MS = 8_000;

/**
 * Opens a JSON-stream connection, registers, and leaves #general at once:
 * an idle user in no room, as an IRC client idles in no channel. (Staying in
 * #general would make every later join a delivery to every earlier client:
 * a join storm of C²/2 frames, which W1 measures, not idle memory.)
 */
function idleClient(port: number, name: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.write(
        `{"type":"hello","version":1,"name":"${name}"}\n{"type":"part","room":"#general"}\n`,
      );
    });
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes('"type":"left"')) {
        socket.off('data', onData);
        // Keep reading (and dropping) so nothing backs up.
        socket.on('data', () => undefined);
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Connects `count` idle clients and reports the server's resident memory per connection. */
export async function runIdle(count: number, pin: boolean): Promise<IdleResult> {
  const server = await startServer('confab', { store: 'memory', pin });
  const sockets: net.Socket[] = [];
  try {
    // A few connections first, so lazily made machinery is not billed to the count.
    for (let i = 0; i < 10; i++) sockets.push(await idleClient(server.port, `warm${i}`));
    await sleep(500);
    const before = memory(server.pid).rss;
    const start = nowMs();
    for (let i = 0; i < count; i += 200) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 200); j++)
        batch.push(idleClient(server.port, `idle${j}`));
      sockets.push(...(await Promise.all(batch)));
    }
    const connectSeconds = (nowMs() - start) / 1000;
    await sleep(1_000);
    const justAfter = memory(server.pid).rss;
    await sleep(IDLE_MS - 1_000);
    const after = memory(server.pid).rss;
    return {
      label: `W2 idle JSON, C=${count}`,
      workload: 'W2',
      clients: count,
      connectSeconds,
      rssBeforeMB: before / 2 ** 20,
      rssJustAfterMB: justAfter / 2 ** 20,
      rssAfterMB: after / 2 ** 20,
      bytesPerConnectionJustAfter: (justAfter - before) / count,
      bytesPerConnection: (after - before) / count,
      notes: [],
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}
