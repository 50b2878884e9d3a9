import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JsonClient,
  METRICS_TOKEN,
  connectSocket,
  scrapeMetrics,
  spawnServer,
  waitFor,
} from './helpers.js';
import type { ServerProcess } from './helpers.js';

/** What the server logs when it gives memory back. */
interface TrimLine {
  rssBeforeMB: number;
  rssAfterMB: number;
  pauseMs: number;
}

function trimLines(server: ServerProcess): TrimLine[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('memory given back'))
    .map((line) => JSON.parse(line) as TrimLine);
}

/** A registered user who leaves #general and then only reads: an idle connection. */
async function idleUser(port: number, name: string): Promise<net.Socket> {
  const socket = await connectSocket(port);
  socket.write(
    `{"type":"hello","version":1,"name":"${name}"}\n{"type":"part","room":"#general"}\n`,
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('"type":"left"')) return;
      socket.off('data', onData);
      socket.on('data', () => undefined);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A storm of `count` users, 200 at a time. */
async function storm(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 200); j++) batch.push(idleUser(port, `idle${j}`));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

const ARGS = [
  '--port',
  '0',
  '--store',
  'memory',
  '--max-connections-per-ip',
  '0',
  '--max-handshakes-per-ip',
  '0',
  '--metrics-token',
  METRICS_TOKEN,
  // Thousands of users from one address in seconds: a storm the per-address budget would pace.
  '--replay-reads',
  '0',
];

describe('memory trim', () => {
  const servers: ServerProcess[] = [];
  const sockets: net.Socket[] = [];

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) server.child.kill('SIGKILL');
  });

  it('gives back what a storm of connections left once the server is quiet, and the users are still served', async () => {
    const [trimming, keeping] = await Promise.all([
      spawnServer(ARGS),
      spawnServer([...ARGS, '--memory-trim', 'off']),
    ]);
    servers.push(trimming, keeping);
    const watcher = await JsonClient.connect(trimming.ports[0]!);
    await watcher.register('watcher');
    sockets.push(...(await storm(trimming.ports[0]!, 3_000)));
    sockets.push(...(await storm(keeping.ports[0]!, 3_000)));

    // Quiet now: the trim comes once the server has idled for a few seconds (later on a busy machine).
    await waitFor(() => trimLines(trimming).length > 0, 'a trim once the storm is over', 40_000);
    const [trim, ...more] = trimLines(trimming);
    expect(trim, 'a trim once the storm is over').toBeDefined();
    expect(more).toEqual([]);
    expect(trim!.rssAfterMB).toBeLessThan(trim!.rssBeforeMB - 8);

    const metrics = await scrapeMetrics(trimming.ports[0]!);
    expect(metrics).toMatch(/^confab_memory_trims_total 1$/m);

    // The other server idled as long and was told not to.
    expect(trimLines(keeping)).toEqual([]);

    // Nothing was lost: the users are all still there, and answered.
    watcher.send({ type: 'dm', to: 'idle2999', text: 'still here?', ref: 'd1' });
    await watcher.next('ack', (a) => a.ref === 'd1');
    watcher.send({ type: 'say', room: '#general', text: 'still here', ref: 's1' });
    await watcher.next('ack', (a) => a.ref === 's1');
    // Two storms of 3,000 and an idle server's trim: a minute and a half on a machine busy with other suites.
  }, 90_000);
});
