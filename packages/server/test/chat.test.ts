import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEvent, ConfabServer } from '../src/index.js';
import { LocalBus } from '../src/index.js';
import { writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import {
  JsonClient,
  PlainClient,
  WsClient,
  pause,
  startServer,
  scrapeMetrics,
  tempDir,
} from './helpers.js';

let server: ConfabServer;
let port: number;
const open: Array<{ end(): void }> = [];

async function json(name?: string): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  open.push(client);
  if (name) await client.register(name);
  return client;
}

beforeEach(async () => {
  ({ server, port } = await startServer());
});

afterEach(async () => {
  for (const client of open.splice(0)) client.end();
  await server.close();
});

describe('the classic chat', () => {
  it('welcomes by name, says how to leave, and puts the user in #general', async () => {
    const ada = await json();
    ada.send({ type: 'hello', version: 1, name: 'ada' });
    const welcome = await ada.next('welcome');
    expect(welcome).toMatchObject({
      version: 1,
      name: 'ada',
      rooms: ['#general'],
      server: 'confab/0.1.0',
    });
    expect(welcome.text).toContain('<quit>');
    expect(await ada.next('joined')).toMatchObject({ room: '#general', name: 'ada' });
    expect(await ada.next('names')).toEqual({ type: 'names', room: '#general', names: ['ada'] });
    expect(await ada.next('history')).toEqual({
      type: 'history',
      room: '#general',
      messages: [],
      more: false,
    });
  });

  it('sends every message to every member with the sender name, the ack after the copy', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    expect(await ada.next('joined', (j) => j.name === 'bob')).toMatchObject({ room: '#general' });
    ada.send({ type: 'say', room: '#general', text: 'hi bob', ref: 'r1' });
    const atBob = await bob.next('message');
    expect(atBob).toMatchObject({ room: '#general', seq: 1, from: 'ada', text: 'hi bob' });
    const atAda = await ada.next('message');
    expect(atAda).toEqual(atBob);
    const ack = await ada.next('ack');
    expect(ack).toEqual({ type: 'ack', ref: 'r1', id: atAda.id, seq: 1, ts: atAda.ts });
    expect(ada.inbox.all.indexOf(atAda)).toBeLessThan(ada.inbox.all.indexOf(ack));
  });

  it('numbers a room 1, 2, 3 … in one order for everyone', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    for (let i = 0; i < 20; i++) {
      ada.send({ type: 'say', room: '#general', text: `a${i}` });
      bob.send({ type: 'say', room: '#general', text: `b${i}` });
    }
    const seen = async (client: JsonClient) => {
      const messages = [];
      for (let i = 0; i < 40; i++) messages.push(await client.next('message'));
      return messages;
    };
    const [atAda, atBob] = await Promise.all([seen(ada), seen(bob)]);
    expect(atAda.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(atBob.map((m) => m.id)).toEqual(atAda.map((m) => m.id));
  });

  it('runs the <quit> handshake: a say just before quit is stored and acked, then left, then quit', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    ada.send({ type: 'say', room: '#general', text: 'bye all', ref: 'last' });
    ada.send({ type: 'quit' });
    await ada.next('ack', (a) => a.ref === 'last');
    const quit = await ada.next('quit');
    expect(quit).toEqual({ type: 'quit' });
    expect(ada.inbox.all.at(-1)).toEqual(quit);
    await ada.closed;
    expect(await bob.next('message')).toMatchObject({ text: 'bye all' });
    expect(await bob.next('left')).toMatchObject({ room: '#general', name: 'ada', reason: 'quit' });
    expect(ada.inbox.all.some((f) => f.type === 'left')).toBe(false);
  });

  it('counts a quit still waiting behind a slow frame as a quit when the link closes at once', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    // Making an account hashes its password (tens of milliseconds): the quit waits its turn,
    // and the link closes before it comes (a page closing right after saying <quit>).
    ada.send({ type: 'register', password: 'correct horse battery' });
    ada.send({ type: 'quit' });
    ada.socket.destroy();
    expect(await bob.next('left', (l) => l.name === 'ada')).toMatchObject({ reason: 'quit' });
  });

  it('answers quit before hello with quit, and the room hears nothing', async () => {
    const bob = await json('bob');
    const stranger = await json();
    stranger.send({ type: 'quit' });
    await stranger.next('quit');
    await stranger.closed;
    // Someone joining after it, through the same room, is the marker: nothing came first.
    await json('marker');
    expect(await bob.before('joined', (j) => j.name === 'marker')).toEqual([]);
  });

  it('gives left with reason disconnected when a client vanishes, by FIN or by RST', async () => {
    const bob = await json('bob');
    const ada = await json('ada');
    ada.socket.end();
    expect(await bob.next('left', (l) => l.name === 'ada')).toMatchObject({
      reason: 'disconnected',
    });
    const cy = await json('cy');
    cy.socket.resetAndDestroy();
    expect(await bob.next('left', (l) => l.name === 'cy')).toMatchObject({
      reason: 'disconnected',
    });
    // The names are free again.
    await (await json()).register('ada');
  });
});

describe('transports on one port', () => {
  it('puts a JSON client, a WebSocket client and a plain-text client in one room', async () => {
    const ada = await json('ada');
    const web = await WsClient.connect(port);
    open.push(web);
    await web.register('wes');
    const nc = await PlainClient.connect(port);
    open.push({ end: () => nc.socket.end() });
    nc.type('pat');
    await nc.line('Welcome pat');
    expect((await nc.line('* In #general:')).split(': ')[1]!.split(', ').sort()).toEqual([
      'ada',
      'pat',
      'wes',
    ]);
    ada.send({ type: 'say', room: '#general', text: 'hello everyone' });
    expect(await web.next('message')).toMatchObject({ from: 'ada', text: 'hello everyone' });
    expect(await nc.line('<ada> hello everyone')).toMatch(/^\[\d\d:\d\d\] <ada> hello everyone$/);
    web.send({ type: 'say', room: '#general', text: 'from the web' });
    expect(await ada.next('message', (m) => m.from === 'wes')).toMatchObject({
      text: 'from the web',
    });
    await nc.line('<wes> from the web');
    nc.type('from nc');
    expect(await ada.next('message', (m) => m.from === 'pat')).toMatchObject({
      text: 'from nc',
      seq: 3,
    });
    expect(await web.next('message', (m) => m.from === 'pat')).toMatchObject({ text: 'from nc' });
  });

  it('runs <quit> from WebSocket and from plain text', async () => {
    const ada = await json('ada');
    const web = await WsClient.connect(port);
    await web.register('wes');
    await web.quit();
    expect(await ada.next('left', (l) => l.name === 'wes')).toMatchObject({ reason: 'quit' });
    const nc = await PlainClient.connect(port);
    nc.type('pat');
    await nc.line('Welcome pat');
    await nc.quit();
    expect(await ada.next('left', (l) => l.name === 'pat')).toMatchObject({ reason: 'quit' });
  });

  it('shows plain-text people every control character escaped, JSON clients the text exactly', async () => {
    const ada = await json('ada');
    const nc = await PlainClient.connect(port);
    nc.type('pat');
    await nc.line('Welcome pat');
    const hostile = 'x\u001b]0;owned\u0007\u001b[2J\u0008\r\u009b31m\u202eevil';
    ada.send({ type: 'say', room: '#general', text: hostile });
    const line = await nc.line('<ada>');
    expect(line).toContain('x^[]0;owned^G^[[2J^H^M\\u009b31m\\u202eevil');
    // eslint-disable-next-line no-control-regex
    expect(nc.text()).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/);
    expect(await ada.next('message')).toMatchObject({ text: hostile });
  });

  it('serves /healthz, /metrics and an index page on the same port', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', connections: 0 });
    await json('ada');
    const metrics = await scrapeMetrics(port);
    expect(metrics).toContain('confab_connections{transport="json"} 1');
    expect(metrics).toMatch(/confab_frames_in_total \d+/);
    expect(metrics).toContain('confab_process_nodejs_eventloop_lag_seconds');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('Confab chat server');
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('serves a built chat page at / from --web-page, from memory, with its CSP and ETags', async () => {
    const dir = tempDir('confab-page-');
    writeFileSync(joinPath(dir.path, 'index.html'), '<!doctype html><title>Confab</title>');
    writeFileSync(joinPath(dir.path, 'app.js'), 'console.log(1);');
    writeFileSync(joinPath(dir.path, 'notes.txt'), 'not a page file');
    const { server: pageServer, port: pagePort } = await startServer({ webPage: dir.path });
    try {
      await checkPage(`http://127.0.0.1:${pagePort}`, dir.path);
    } finally {
      await pageServer.close();
      dir.remove();
    }
  });
});

/** What the server at `base` serves of the page it read from `dir` at start. */
async function checkPage(base: string, dir: string): Promise<void> {
  const index = await fetch(`${base}/`);
  expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(index.headers.get('content-security-policy')).toContain("connect-src 'self' ws: wss:");
  expect(index.headers.get('cache-control')).toBe('no-cache');
  expect(await index.text()).toBe('<!doctype html><title>Confab</title>');
  // Read once at start: a file changed or added later is not served.
  writeFileSync(joinPath(dir, 'app.js'), 'console.log(2);');
  writeFileSync(joinPath(dir, 'late.js'), 'late');
  const script = await fetch(`${base}/app.js`);
  expect(await script.text()).toBe('console.log(1);');
  const etag = script.headers.get('etag')!;
  expect((await fetch(`${base}/app.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  const head = await fetch(`${base}/app.js`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
  for (const path of ['/late.js', '/notes.txt', '/../package.json', '/%2e%2e/package.json'])
    expect((await fetch(`${base}${path}`)).status, path).toBe(404);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
}

describe('names', () => {
  it('are unique ignoring case with full case folding, and a refused name can retry on the same connection', async () => {
    await json('Σοφία');
    const other = await json();
    other.send({ type: 'hello', version: 1, name: 'σοφία' });
    expect(await other.next('error')).toMatchObject({ code: 'name_taken' });
    other.send({ type: 'hello', version: 1, name: 'ΣΟΦΊΑ' });
    expect(await other.next('error')).toMatchObject({ code: 'name_taken' });
    other.send({ type: 'hello', version: 1, name: 'bad name' });
    expect(await other.next('error')).toMatchObject({ code: 'name_invalid' });
    other.send({ type: 'hello', version: 1, name: 'sofia' });
    expect(await other.next('welcome')).toMatchObject({ name: 'sofia' });
  });

  it('treats final sigma and NFC forms as the same name', async () => {
    await json('ΟΔΥΣΣΕΥΣ');
    const other = await json();
    other.send({ type: 'hello', version: 1, name: 'οδυσσευς' });
    expect(await other.next('error')).toMatchObject({ code: 'name_taken' });
    await json('re\u0301my');
    other.send({ type: 'hello', version: 1, name: 'RÉMY' });
    expect(await other.next('error')).toMatchObject({ code: 'name_taken' });
  });

  it('changes with nick, telling everyone who shares a room', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    bob.send({ type: 'nick', name: 'ADA' });
    expect(await bob.next('error')).toMatchObject({ code: 'name_taken' });
    bob.send({ type: 'nick', name: 'robert' });
    expect(await bob.next('nick')).toEqual({ type: 'nick', old: 'bob', name: 'robert' });
    expect(await ada.next('nick')).toEqual({ type: 'nick', old: 'bob', name: 'robert' });
    bob.send({ type: 'say', room: '#general', text: 'renamed' });
    expect(await ada.next('message')).toMatchObject({ from: 'robert' });
    await (await json()).register('bob');
  });
});

describe('rooms and direct messages', () => {
  it('joins, lists and parts rooms, ignoring case', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    ada.send({ type: 'join', room: '#Rust' });
    expect(await ada.next('joined', (j) => j.room === '#Rust')).toMatchObject({ name: 'ada' });
    await ada.next('names', (n) => n.room === '#Rust');
    await ada.next('history', (h) => h.room === '#Rust');
    bob.send({ type: 'join', room: '#RUST' });
    // The room keeps the spelling of its first join.
    const isRust = (room: string) => room.toLowerCase() === '#rust';
    expect(await bob.next('joined', (j) => isRust(j.room))).toMatchObject({
      room: '#Rust',
      name: 'bob',
    });
    expect(await ada.next('joined', (j) => j.name === 'bob' && isRust(j.room))).toMatchObject({
      room: '#Rust',
    });
    bob.send({ type: 'who', room: '#rust' });
    await bob.next('names', (n) => n.room === '#Rust');
    expect(await bob.next('names', (n) => n.room === '#Rust')).toMatchObject({
      names: expect.arrayContaining(['ada', 'bob']),
    });
    ada.send({ type: 'say', room: '#rust', text: 'in rust' });
    expect(await bob.next('message', (m) => m.room === '#Rust')).toMatchObject({
      text: 'in rust',
      seq: 1,
    });
    bob.send({ type: 'part', room: '#rust' });
    expect(await bob.next('left')).toMatchObject({ room: '#Rust', name: 'bob', reason: 'part' });
    expect(await ada.next('left', (l) => l.name === 'bob')).toMatchObject({ reason: 'part' });
    bob.send({ type: 'say', room: '#rust', text: 'still here?', ref: 'x' });
    expect(await bob.next('error')).toMatchObject({ code: 'not_in_room', ref: 'x' });
    bob.send({ type: 'who', room: '#rust' });
    expect(await bob.next('error')).toMatchObject({ code: 'not_in_room' });
  });

  it('sends a direct message to both ends and acks it', async () => {
    const ada = await json('ada');
    const bob = await json('bob');
    const cy = await json('cy');
    ada.send({ type: 'dm', to: 'BOB', text: 'psst', ref: 'd1' });
    const atBob = await bob.next('message', (m) => m.to !== undefined);
    expect(atBob).toMatchObject({ from: 'ada', to: 'bob', text: 'psst' });
    expect(atBob.room).toBeUndefined();
    expect(await ada.next('message', (m) => m.to !== undefined)).toEqual(atBob);
    expect(await ada.next('ack')).toMatchObject({ ref: 'd1', id: atBob.id });
    // A direct message to cy after it, from the same sender, is the marker.
    ada.send({ type: 'dm', to: 'cy', text: 'marker' });
    expect(await cy.before('message', (m) => m.text === 'marker')).toEqual([]);
    ada.send({ type: 'dm', to: 'nobody', text: 'hello?', ref: 'd2' });
    expect(await ada.next('error')).toMatchObject({ code: 'no_such_user', ref: 'd2' });
  });
});

describe('kept direct messages', () => {
  const keyOf = (who: string) => `${who}-guest-key-0123456789abcdef`;

  /**
   * Registers with a guest key; resolves with the dm_history that follows
   * the rooms. Like a real client, it tries again while the name is taken:
   * in a cluster, a name is freed a moment after the room hears `left`.
   */
  async function guest(name: string, extra: Record<string, unknown> = {}) {
    const client = await json();
    for (let attempt = 0; ; attempt++) {
      client.send({ type: 'hello', version: 1, name, guest: keyOf(name), ...extra });
      const answer = await client.inbox.take(
        (f) => f.type === 'welcome' || f.type === 'error',
        'welcome',
      );
      if (answer.type === 'welcome') break;
      if (answer.type !== 'error' || answer.code !== 'name_taken' || attempt === 20)
        throw new Error(JSON.stringify(answer));
      await pause(50);
    }
    const replay = await client.next('dm_history');
    client.inbox.drain();
    return { client, replay };
  }

  it('keeps a copy at each end, numbered in each mailbox, and gives them back to the same guest', async () => {
    const { client: ada } = await guest('ada');
    const { client: bob, replay } = await guest('bob');
    expect(replay).toEqual({ type: 'dm_history', messages: [], more: false });
    ada.send({ type: 'dm', to: 'bob', text: 'kept for you', ref: 'k1' });
    const atBob = await bob.next('message', (m) => m.to !== undefined);
    const atAda = await ada.next('message', (m) => m.to !== undefined);
    expect(atBob).toMatchObject({ from: 'ada', to: 'bob', text: 'kept for you', dseq: 1 });
    expect(atAda).toMatchObject({ id: atBob.id, dseq: 1 });
    expect(await ada.next('ack')).toMatchObject({ ref: 'k1', id: atBob.id });
    bob.send({ type: 'dm', to: 'ada', text: 'and kept for you' });
    expect(await ada.next('message', (m) => m.from === 'bob')).toMatchObject({ dseq: 2 });
    await bob.quit();
    // Back with the same key: the conversation, newest last.
    const again = await guest('bob');
    expect(again.replay.more).toBe(false);
    expect(again.replay.messages.map((m) => [m.from, m.text, m.dseq])).toEqual([
      ['ada', 'kept for you', 1],
      ['bob', 'and kept for you', 2],
    ]);
    await again.client.quit();
    // Someone else taking the name, with another key or none, gets none of it.
    const other = await json();
    other.send({ type: 'hello', version: 1, name: 'bob', guest: keyOf('someone-else') });
    expect(await other.next('dm_history')).toEqual({
      type: 'dm_history',
      messages: [],
      more: false,
    });
    await other.quit();
    const keyless = await json();
    keyless.send({ type: 'hello', version: 1, name: 'bob' });
    await keyless.next('welcome');
    // A ping after the hello is answered after everything the hello brought.
    expect((await keyless.beforePong()).filter((f) => f.type === 'dm_history')).toEqual([]);
  });

  it('replays after dseq what a dropped link never showed, once', async () => {
    const { client: ada } = await guest('ada');
    const first = await guest('bob');
    ada.send({ type: 'dm', to: 'bob', text: 'one', ref: 'r1' });
    const one = await first.client.next('message', (m) => m.text === 'one');
    // bob's client stops reading: what follows lands in a socket nobody reads.
    first.client.socket.pause();
    ada.send({ type: 'dm', to: 'bob', text: 'two', ref: 'r2' });
    ada.send({ type: 'dm', to: 'bob', text: 'three', ref: 'r3' });
    await ada.next('ack', (a) => a.ref === 'r3');
    first.client.socket.destroy();
    await ada.next('left', (l) => l.name === 'bob');
    const { replay } = await guest('bob', { dseq: one.dseq });
    expect(replay.messages.map((m) => m.text)).toEqual(['two', 'three']);
    expect(replay.more).toBe(false);
  });

  it('hands a message to someone with no identity, and keeps the sender’s copy', async () => {
    const { client: ada } = await guest('ada');
    const bob = await json('bob');
    ada.send({ type: 'dm', to: 'bob', text: 'to an old client', ref: 'h1' });
    const atBob = await bob.next('message', (m) => m.to !== undefined);
    expect(atBob.dseq).toBeUndefined();
    const atAda = await ada.next('message', (m) => m.to !== undefined);
    expect(atAda).toMatchObject({ id: atBob.id, text: 'to an old client', dseq: 1 });
    expect(await ada.next('ack')).toMatchObject({ ref: 'h1', id: atBob.id });
    bob.send({ type: 'dm', to: 'ada', text: 'from an old client', ref: 'h2' });
    expect(await ada.next('message', (m) => m.from === 'bob')).toMatchObject({ dseq: 2 });
    const echo = await bob.next('message', (m) => m.from === 'bob');
    expect(echo.dseq).toBeUndefined();
    expect(await bob.next('ack')).toMatchObject({ ref: 'h2', id: echo.id });
  });

  it('refuses a guest key that is too short or not base64url, with invalid_field', async () => {
    const c = await json();
    c.send({ type: 'hello', version: 1, name: 'ada', guest: 'short' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
    c.send({ type: 'hello', version: 1, name: 'ada', guest: `${'x'.repeat(30)} !` });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
    c.send({ type: 'hello', version: 1, name: 'ada', guest: keyOf('ada'), dseq: -1 });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
  });
});

describe('bad input', () => {
  it('answers each mistake with its code and keeps the connection', async () => {
    const c = await json();
    // The first byte, `{`, is what makes this a JSON stream.
    c.send({ type: 'dance' });
    expect(await c.next('error')).toMatchObject({ code: 'unknown_type' });
    c.sendRaw('this is not json');
    expect(await c.next('error')).toMatchObject({ code: 'bad_frame' });
    c.sendRaw('[1,2,3]');
    expect(await c.next('error')).toMatchObject({ code: 'bad_frame' });
    c.sendBytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    expect(await c.next('error')).toMatchObject({ code: 'bad_frame' });
    c.send({ type: 'say', room: '#general', text: 'too early', ref: 'e1' });
    expect(await c.next('error')).toMatchObject({ code: 'not_registered', ref: 'e1' });
    c.send({ type: 'hello', version: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
    await c.register('ada');
    c.send({ type: 'hello', version: 1, name: 'again' });
    expect(await c.next('error')).toMatchObject({ code: 'already_registered' });
    c.send({ type: 'say', room: 'general', text: 'x' });
    expect(await c.next('error')).toMatchObject({ code: 'room_invalid' });
    c.send({ type: 'say', room: '#general', text: '', ref: 'empty' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field', ref: 'empty' });
    c.send({ type: 'say', room: '#general', text: 'x'.repeat(4097), ref: 'long' });
    expect(await c.next('error')).toMatchObject({ code: 'text_too_long', ref: 'long' });
    c.send({ type: 'history', room: '#general', limit: 500 });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
    c.send({ type: 'ping', ref: 'p' });
    expect(await c.next('pong')).toEqual({ type: 'pong', ref: 'p' });
    expect(c.isClosed).toBe(false);
  });

  it('closes after unsupported_version', async () => {
    const c = await json();
    c.send({ type: 'hello', version: 2, name: 'future' });
    expect(await c.next('error')).toMatchObject({ code: 'unsupported_version' });
    await c.closed;
  });

  it('ignores unknown fields and cannot be polluted through __proto__', async () => {
    const c = await json();
    c.sendRaw(
      '{"type":"hello","version":1,"name":"ada","__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"extra":[1]}',
    );
    expect(await c.next('welcome')).toMatchObject({ name: 'ada' });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

/** A bus that loses the first room message it carries, as pub/sub may when a link breaks. */
class LossyBus extends LocalBus {
  private lost = false;
  override publish(event: BusEvent): void {
    if (!this.lost && event.kind === 'room' && event.frame.type === 'message') {
      this.lost = true;
      return;
    }
    super.publish(event);
  }
}

describe('a lost answer', () => {
  it('holds the commands behind it for a while only, not forever', async () => {
    const lossy = await startServer({ ports: { bus: new LossyBus() } });
    try {
      const ada = await JsonClient.connect(lossy.port);
      open.push(ada);
      await ada.register('ada');
      ada.send({ type: 'say', room: '#general', text: 'lost on the way', ref: 'r1' });
      ada.send({ type: 'who', room: '#general' });
      expect(await ada.next('names', undefined, 8_000)).toMatchObject({ names: ['ada'] });
      ada.send({ type: 'say', room: '#general', text: 'this one arrives', ref: 'r2' });
      expect(await ada.next('ack', (a) => a.ref === 'r2')).toMatchObject({ seq: 2 });
    } finally {
      await lossy.server.close();
    }
  });
});
