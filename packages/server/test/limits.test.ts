import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import {
  JsonClient,
  PlainClient,
  WsClient,
  pause,
  sameNode,
  scrapeMetrics,
  sendThenStall,
  waitFor,
  testScope,
} from './helpers.js';

const { cleanups, serve } = testScope();

async function client(port: number, name?: string): Promise<JsonClient> {
  const c = await JsonClient.connect(port);
  cleanups.push(() => c.end());
  if (name) await c.register(name);
  return c;
}

describe('limits', () => {
  it('refuses a frame over the limit with frame_too_large and closes (JSON stream)', async () => {
    const port = await serve();
    const c = await client(port, 'ada');
    c.sendRaw(`{"type":"say","room":"#general","text":"${'x'.repeat(70_000)}"}`);
    expect(await c.next('error')).toMatchObject({ code: 'frame_too_large' });
    await c.closed;
  });

  it('refuses an oversized WebSocket message and a binary one', async () => {
    const port = await serve();
    const web = await WsClient.connect(port);
    cleanups.push(() => web.end());
    await web.register('wes');
    web.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect(await web.next('error')).toMatchObject({ code: 'bad_frame' });
    web.sendRaw(`{"type":"say","room":"#general","text":"${'x'.repeat(70_000)}"}`);
    expect(await web.next('error')).toMatchObject({ code: 'frame_too_large' });
    await web.closed;
  });

  it('refuses a plain-text line over the limit', async () => {
    const port = await serve();
    const nc = await PlainClient.connect(port);
    cleanups.push(() => void nc.socket.destroy());
    nc.type('pat');
    await nc.line('Welcome pat');
    nc.type('y'.repeat(70_000));
    await nc.line('! A line must be at most 65536 bytes.');
    await nc.closed;
  });

  it('refuses text over the text limit without closing', async () => {
    const port = await serve({ maxTextBytes: 100 });
    const c = await client(port, 'ada');
    c.send({ type: 'say', room: '#general', text: 'x'.repeat(101), ref: 'big' });
    expect(await c.next('error')).toMatchObject({ code: 'text_too_long', ref: 'big' });
    c.send({ type: 'say', room: '#general', text: 'x'.repeat(100), ref: 'ok' });
    expect(await c.next('ack')).toMatchObject({ ref: 'ok' });
  });

  it('paces frames over the rate in a bounded queue, and answers every one refused past it', async () => {
    // 5 at once (hello took one of them); then 3 may wait their turn, and one more is being waited for.
    const port = await serve({ rateLimit: 5, rateBurst: 5, rateQueue: 3 });
    const c = await client(port, 'ada');
    for (let i = 0; i < 12; i++)
      c.send({ type: 'say', room: '#general', text: `m${i}`, ref: `r${i}` });
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(await c.inbox.take((f) => f.type === 'ack' || f.type === 'error', 'answer'));
    const refused = answers.filter((a) => a.type === 'error');
    const acked = answers.filter((a) => a.type === 'ack');
    // Nothing dropped silently: the last three were refused at once, the rest handled in order.
    expect(refused.map((a) => (a as { ref: string }).ref).sort()).toEqual([
      'r10',
      'r11',
      'r8',
      'r9',
    ]);
    for (const error of refused) expect(error).toMatchObject({ code: 'rate_limited' });
    expect(acked.map((a) => (a as { ref: string }).ref)).toEqual(
      Array.from({ length: 8 }, (_, i) => `r${i}`),
    );
    const metrics = await scrapeMetrics(port);
    expect(metrics).toMatch(/confab_rate_limited_total 4/);
  });

  it('refuses frames over the rate at once when nothing may wait (--rate-queue 0)', async () => {
    const port = await serve({ rateLimit: 5, rateBurst: 5, rateQueue: 0 });
    const c = await client(port, 'ada');
    for (let i = 0; i < 12; i++)
      c.send({ type: 'say', room: '#general', text: `m${i}`, ref: `r${i}` });
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(await c.inbox.take((f) => f.type === 'ack' || f.type === 'error', 'answer'));
    expect(answers.filter((a) => a.type === 'error').length).toBeGreaterThanOrEqual(6);
    // The bucket refills.
    await pause(400);
    c.send({ type: 'say', room: '#general', text: 'later', ref: 'later' });
    expect(await c.next('ack')).toMatchObject({ ref: 'later' });
  });

  it('answers rate_limited over WebSocket too, each refusal with its ref, and the link stays', async () => {
    const port = await serve({ rateLimit: 5, rateBurst: 5, rateQueue: 0 });
    const web = await WsClient.connect(port);
    cleanups.push(() => web.end());
    await web.register('wendy');
    for (let i = 0; i < 12; i++)
      web.send({ type: 'say', room: '#general', text: `m${i}`, ref: `w${i}` });
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(await web.inbox.take((f) => f.type === 'ack' || f.type === 'error', 'answer'));
    const refused = answers.filter((a) => a.type === 'error');
    expect(refused.length).toBeGreaterThanOrEqual(6);
    for (const error of refused)
      expect(error).toMatchObject({ code: 'rate_limited', ref: expect.stringMatching(/^w\d+$/) });
    // The bucket refills: asked again until it is, one is acked.
    let acked: ServerFrame | undefined;
    for (let i = 0; i < 200 && !acked; i++) {
      web.send({ type: 'say', room: '#general', text: 'later', ref: `later${i}` });
      const answer = await web.inbox.take(
        (f) => (f.type === 'ack' || f.type === 'error') && f.ref === `later${i}`,
        'an answer',
      );
      if (answer.type === 'ack') acked = answer;
      else await pause(20);
    }
    expect(acked).toMatchObject({ type: 'ack', ref: expect.stringMatching(/^later\d+$/) });
  });

  it('answers server_full over the total and the per-address limits, in the client’s transport', async () => {
    const port = await serve({ maxConnections: 2 });
    // Connection limits are each node's own.
    sameNode(port);
    await client(port, 'a');
    await client(port, 'b');
    const third = await client(port);
    third.send({ type: 'hello', version: 1, name: 'c' });
    expect(await third.next('error')).toMatchObject({ code: 'server_full' });
    await third.closed;
    const nc = await PlainClient.connect(port);
    nc.type('d');
    await nc.line('server_full');
    const perIp = await serve({ maxConnectionsPerIp: 1 });
    await client(perIp, 'a');
    const web = await WsClient.connect(perIp);
    expect(await web.next('error')).toMatchObject({ code: 'server_full' });
    await web.closed;
  });

  it('times out a connection that sends no hello, and one that sends nothing at all', async () => {
    const port = await serve({ handshakeTimeout: 200 });
    const c = await client(port);
    c.send({ type: 'ping' });
    expect(await c.next('error')).toMatchObject({ code: 'handshake_timeout' });
    await c.closed;
    const silent = await PlainClient.connect(port);
    await silent.closed;
    expect(silent.text()).toContain('handshake_timeout');
  });

  it('does not time out a hello that came in time while the server was busy', async () => {
    const port = await serve({ handshakeTimeout: 1_000, greetAfter: 0 });
    // The deadline passes while the server is busy; the hello came long before it (a
    // wide margin, so that a slow timer on a busy machine cannot make it late).
    const hello = '{"type":"hello","version":1,"name":"ada"}';
    expect(await sendThenStall(port, hello, 50, 1_300)).toMatch(/^\{"type":"welcome"/);
  });

  it('pings a quiet client and drops one that does not answer, with reason timeout', async () => {
    // Long enough that a client that answers is never late, on a machine busy with other tests.
    const port = await serve({ pingInterval: 400 });
    const watcher = await client(port, 'watcher');
    const lively = await client(port, 'lively');
    // Registered by hand: register() drains what follows the welcome, and on a
    // busy machine the first ping can be among it.
    const dead = await client(port);
    dead.send({ type: 'hello', version: 1, name: 'dead' });
    await dead.next('welcome');
    // `lively` answers pings; `dead` never does.
    lively.socket.on('data', () => {
      for (const f of lively.inbox.all.splice(0))
        if (f.type === 'ping') lively.send({ type: 'pong' });
    });
    watcher.socket.on('data', () => {
      for (const f of watcher.inbox.all.splice(0))
        if (f.type === 'ping') watcher.send({ type: 'pong' });
    });
    expect(await dead.next('ping')).toEqual({ type: 'ping' });
    expect(await watcher.next('left', (l) => l.name === 'dead', 5_000)).toMatchObject({
      reason: 'timeout',
    });
    await dead.closed;
    await pause(1_000);
    expect(lively.isClosed).toBe(false);
  });

  it('drops a reader that stalls as a slow consumer; the others get every message', async () => {
    const port = await serve({ maxOutboundBytes: 512 * 1024, rateLimit: 0 });
    const sender = await client(port, 'sender');
    const reader = await client(port, 'reader');
    const stalled = await client(port, 'stalled');
    stalled.socket.pause();
    // Well past what the kernel's socket buffers can hold on loopback.
    const total = 8_000;
    const text = 'z'.repeat(3_500);
    let received = 0;
    reader.socket.on('data', () => {
      received += reader.inbox.drain().filter((f) => f.type === 'message').length;
    });
    sender.socket.on('data', () => sender.inbox.drain());
    // The moment the server counts the stalled reader as too slow, it reads
    // again: the slow_consumer error waits behind what it did not read, and
    // the server gives it 2 s to be read before the link is cut.
    const resumed = waitFor(
      async () => (await scrapeMetrics(port)).includes('confab_slow_consumers_total 1'),
      'the stalled reader to be counted too slow',
      60_000,
    ).then(() => stalled.socket.resume());
    // The sender reads its own echoes as it goes, as a real client does.
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'say', room: '#general', text, ref: String(i) });
      // Paced by the reader (at most ~100 messages, 350 KB, ahead of it), as
      // flow control would: only the client that stopped reading can overflow.
      while (i - received > 100) await pause(1);
    }
    await waitFor(() => received >= total, 'every message to every reader', 25_000);
    expect(received).toBe(total);
    // The sender's inbox is drained as it reads: its whole record is looked in.
    const left = () => sender.inbox.all.find((f) => f.type === 'left' && f.name === 'stalled');
    await waitFor(() => left() !== undefined, 'the stalled reader to leave');
    expect(left()).toMatchObject({ reason: 'disconnected' });
    // Its link is closed, the slow_consumer error the last thing on it.
    await resumed;
    await stalled.closed;
    expect(stalled.inbox.all.at(-1)).toMatchObject({ type: 'error', code: 'slow_consumer' });
    const metrics = await scrapeMetrics(port);
    expect(metrics).toContain('confab_slow_consumers_total 1');
    // 28 MB through the server (and Redis, in a cluster): room on a busy machine.
  }, 60_000);
});
