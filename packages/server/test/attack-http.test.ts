import net from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { JsonClient, WsClient, startServer, testScope } from './helpers.js';

const { cleanups, serve } = testScope();

/** A raw socket from `localAddress` that sends `bytes` and collects what comes back until it closes. */
async function raw(
  port: number,
  bytes: string,
  localAddress = '127.0.0.1',
): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  cleanups.push(() => void socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.write(bytes);
  return { socket, answer };
}

/** The status line's code of an HTTP answer. */
function status(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
}

/** What a WebSocket upgrade from a page of `origin` is answered: the HTTP status, or 101. */
function upgradeStatus(port: number, origin: string | undefined): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, origin === undefined ? {} : { origin });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('the HTTP side of the port, attacked', () => {
  it('closes a request head that does not come whole in time, on /healthz and /ws, with 408', async () => {
    const port = await serve({ headTimeout: 400 });
    const health = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const upgrade = await raw(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    expect(status(await health.answer)).toBe(408);
    expect(status(await upgrade.answer)).toBe(408);
    // Trickling one header line at a time does not keep it open either.
    const trickle = await raw(port, 'GET /healthz HTTP/1.1\r\n');
    const dripping = setInterval(() => trickle.socket.write('X-Drip: 1\r\n'), 100);
    cleanups.push(() => clearInterval(dripping));
    expect(status(await trickle.answer)).toBe(408);
  });

  it('keeps a place for others while one address holds unfinished heads', async () => {
    const port = await serve({
      maxConnections: 40,
      maxConnectionsPerIp: 64,
      maxHandshakesPerIp: 4,
      headTimeout: 60_000,
    });
    // 60 unfinished heads from one address: 4 are held, the others are refused at once.
    const attack = await Promise.all(
      Array.from({ length: 60 }, () => raw(port, 'GET /ws HTTP/1.1\r\nHost: x\r\n', '127.0.0.2')),
    );
    const refused = await Promise.all(
      attack.slice(4).map(({ answer }) => answer.then((text) => text)),
    );
    expect(refused.every((text) => !text.startsWith('HTTP/1.1 101'))).toBe(true);
    // Someone else still gets in, and chats.
    const ada = await JsonClient.connect(port);
    cleanups.push(() => ada.end());
    await ada.register('ada');
    ada.send({ type: 'say', room: '#general', text: 'still open', ref: '1' });
    expect(await ada.next('ack')).toMatchObject({ ref: '1' });
    expect(attack.slice(0, 4).every(({ socket }) => !socket.destroyed)).toBe(true);
  });

  it('answers a request head over 16 KiB with 431', async () => {
    const port = await serve();
    const big = await raw(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(status(await big.answer)).toBe(431);
  });

  it('answers a WebSocket version other than 13 with 426, naming 13', async () => {
    const port = await serve();
    const old = await raw(
      port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n',
    );
    const answer = await old.answer;
    expect(status(answer)).toBe(426);
    expect(answer).toMatch(/^Sec-WebSocket-Version: 13$/im);
  });

  it('closes a WebSocket that sends a message over the frame limit with 1009', async () => {
    const port = await serve();
    const say = (size: number) => {
      const head = '{"type":"say","room":"#general","text":"';
      return `${head}${'x'.repeat(size - head.length - 2)}"}`;
    };
    for (const size of [65_537, 100_000, 262_144]) {
      const web = await WsClient.connect(port);
      cleanups.push(() => web.end());
      await web.register(`wes${size}`);
      web.sendRaw(say(size));
      expect(await web.next('error')).toMatchObject({ code: 'frame_too_large' });
      await web.closed;
      expect(web.closeCode).toBe(1009);
    }
    // Far over the limit, the link closes as the message comes in, before it is read whole.
    const huge = await WsClient.connect(port);
    cleanups.push(() => huge.end());
    await huge.register('huge');
    huge.sendRaw(say(1_000_000));
    await huge.closed;
    expect(huge.closeCode).toBe(1009);
  });

  it('opens WebSockets for programs, its own pages and this machine’s, and refuses other sites with 403', async () => {
    const port = await serve({ allowedOrigins: 'https://chat.example.org' });
    expect(await upgradeStatus(port, undefined)).toBe(101);
    expect(await upgradeStatus(port, `http://127.0.0.1:${port}`)).toBe(101);
    expect(await upgradeStatus(port, 'http://localhost:5173')).toBe(101);
    expect(await upgradeStatus(port, 'https://chat.example.org')).toBe(101);
    expect(await upgradeStatus(port, 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(port, 'null')).toBe(403);
    expect(await upgradeStatus(port, 'https://chat.example.org.evil.example')).toBe(403);
    const anyone = await serve({ allowedOrigins: '*' });
    expect(await upgradeStatus(anyone, 'https://evil.example')).toBe(101);
  });

  it('serves /metrics only with the token on the chat port, or on its own address', async () => {
    const port = await serve({ metricsToken: undefined });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const guarded = await serve({ metricsToken: 'a-token-of-sixteen-chars' });
    expect((await fetch(`http://127.0.0.1:${guarded}/metrics`)).status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${guarded}/metrics`, {
      headers: { Authorization: 'Bearer a-token-of-sixteen-charz' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`http://127.0.0.1:${guarded}/metrics`, {
      headers: { Authorization: 'Bearer a-token-of-sixteen-chars' },
    });
    expect(await right.text()).toContain('confab_connections');
    const { server } = await startServer({ metricsToken: undefined, metricsPort: 0 });
    cleanups.push(() => server.close());
    const metricsPort = server.metricsAddress()!.port;
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toContain(
      'confab_connections',
    );
  });
});
