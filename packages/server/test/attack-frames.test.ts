import net from 'node:net';
import type { ServerFrame } from '@confab/protocol';
import { utf8ByteLength } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import { JsonClient, scrapeMetrics, startServer, testScope } from './helpers.js';

const { cleanups } = testScope();

/** Bytes a frame takes on the JSON stream, its line ending included. */
const wireBytes = (frame: ServerFrame) => utf8ByteLength(JSON.stringify(frame)) + 1;

/** A member with a long name who only listens: a raw socket, read and thrown away. */
function member(port: number, name: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`{"type":"hello","version":1,"name":"${name}"}\n`),
    );
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('"type":"history"')) return;
      socket.off('data', onData);
      socket.resume();
      resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

describe('no frame the server sends passes the frame limit', () => {
  it('gives a joiner the member list of a room too large for one frame in several frames that fit', async () => {
    const { server, port } = await startServer({ replayReads: 0 });
    cleanups.push(() => server.close());
    const sockets: net.Socket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    // 600 names of 116 bytes each (emoji are four): more than 64 KiB of names.
    for (let i = 0; i < 600; i += 100)
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            member(port, `${String(i + j).padStart(4, '0')}${'😀'.repeat(28)}`),
          ),
        )),
      );
    const joiner = await JsonClient.connect(port);
    cleanups.push(() => joiner.end());
    joiner.send({ type: 'hello', version: 1, name: 'joiner' });
    const pages = [];
    for (;;) {
      const page = await joiner.next('names');
      pages.push(page);
      if (!page.more) break;
    }
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(wireBytes(page)).toBeLessThanOrEqual(65_536);
    expect(new Set(pages.flatMap((p) => p.names)).size).toBe(601);
    expect(await scrapeMetrics(port)).toMatch(/^confab_oversized_frames_total 0$/m);
    // 600 joins tell every member before them: some 180,000 frames, through
    // Redis in the cluster project, on a machine that may be busy.
  }, 180_000);

  it('lists an account’s hundred sessions in frames that fit, however long their client names', async () => {
    const { server, port } = await startServer({ passwordCost: 10, loginRate: 0 });
    cleanups.push(() => server.close());
    // 128 characters that JSON writes as six bytes each.
    const client = '\u0001'.repeat(128);
    const owner = await JsonClient.connect(port);
    cleanups.push(() => owner.end());
    owner.send({
      type: 'hello',
      version: 1,
      name: 'many',
      password: 'a long password',
      register: true,
      client,
    });
    await owner.next('dm_history');
    for (let i = 0; i < 110; i++) {
      const device = await JsonClient.connect(port);
      device.send({ type: 'hello', version: 1, name: 'many', password: 'a long password', client });
      await device.next('welcome');
      device.end();
    }
    owner.send({ type: 'sessions' });
    const pages = [];
    for (;;) {
      const page = await owner.next('sessions');
      pages.push(page);
      if (!page.more) break;
    }
    expect(pages.flatMap((p) => p.sessions)).toHaveLength(100);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(wireBytes(page)).toBeLessThanOrEqual(65_536);
  }, 60_000);
});
