import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { MessageFrame, ServerFrame } from '@confab/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfabServer, ServerOptions } from '../src/index.js';
import {
  CLI,
  JsonClient,
  pause,
  spawnServer,
  startServer,
  tempDir,
  scrapeMetrics,
  waitFor,
} from './helpers.js';
import type { TestRedis } from '@confab/test-kit';
import { startRedis } from '@confab/test-kit';

/**
 * For the tests of dead nodes: short enough to keep them quick (a dead
 * node's users leave within ttl + ttl / 5).
 */
const NODE_TTL_MS = 1_000;
/**
 * For every other test: a busy machine can hold a heartbeat past a second,
 * and a node taken for dead sends its users away to reconnect.
 */
const LIVE_NODE_TTL_MS = 10_000;

let redis: TestRedis;
const servers: ConfabServer[] = [];
const children: ChildProcess[] = [];
const clients: Array<{ end(): void }> = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.end();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  await redis?.stop();
});

/** A fresh chat (its own key prefix) in the shared Redis. */
function newChat(): string {
  return `confab:test:${randomBytes(4).toString('hex')}:`;
}

/** Starts an in-process node of the chat; resolves with its port. */
async function node(prefix: string, options: ServerOptions = {}): Promise<number> {
  const { server, port } = await startServer({
    redis: redis.url,
    redisPrefix: prefix,
    nodeTtl: LIVE_NODE_TTL_MS,
    ...options,
  });
  servers.push(server);
  return port;
}

/** Starts a node as its own process (so it can be killed with SIGKILL); resolves with its port. */
async function processNode(prefix: string): Promise<{ child: ChildProcess; port: number }> {
  const { child, ports } = await spawnServer([
    '--port',
    '0',
    '--redis',
    redis.url,
    '--redis-prefix',
    prefix,
    '--node-ttl',
    String(NODE_TTL_MS),
    '--search-index',
    'memory',
  ]);
  children.push(child);
  return { child, port: ports[0]! };
}

async function user(port: number, name?: string): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  clients.push(client);
  if (name) await client.register(name);
  return client;
}

interface Health {
  status: string;
  cluster?: { redis: string; node: string };
}

/** `/healthz` over a new connection each time (so `--workers` hands each to a worker in turn). */
function health(port: number): Promise<Health> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body) as Health));
      })
      .on('error', reject);
  });
}

describe('three nodes, one chat', () => {
  it('shares rooms, order, DMs, who, nick and names across nodes', async () => {
    const chat = newChat();
    const [a, b, c] = [await node(chat), await node(chat), await node(chat)];
    const ada = await user(a, 'ada');
    const bob = await user(b, 'bob');
    const cy = await user(c, 'cy');
    await ada.next('joined', (j) => j.name === 'cy');
    await bob.next('joined', (j) => j.name === 'cy');

    // A second room with members on two nodes.
    ada.send({ type: 'join', room: '#ops' });
    await ada.next('history', (h) => h.room === '#ops');
    cy.send({ type: 'join', room: '#ops' });
    await cy.next('history', (h) => h.room === '#ops');
    await ada.next('joined', (j) => j.room === '#ops' && j.name === 'cy');
    cy.inbox.drain();
    cy.send({ type: 'who', room: '#ops' });
    expect((await cy.next('names', (n) => n.room === '#ops')).names.sort()).toEqual(['ada', 'cy']);
    cy.send({ type: 'say', room: '#ops', text: 'ops only', ref: 'o1' });
    expect(await ada.next('message', (m) => m.room === '#ops')).toMatchObject({
      from: 'cy',
      text: 'ops only',
      seq: 1,
    });
    expect(await cy.next('ack')).toMatchObject({ ref: 'o1', seq: 1 });

    // Everyone sends at once; everyone sees one order, seq 1..30 with no gap.
    for (let i = 0; i < 10; i++) {
      ada.send({ type: 'say', room: '#general', text: `a${i}`, ref: `a${i}` });
      bob.send({ type: 'say', room: '#general', text: `b${i}`, ref: `b${i}` });
      cy.send({ type: 'say', room: '#general', text: `c${i}`, ref: `c${i}` });
    }
    const seen = await Promise.all(
      [ada, bob, cy].map(async (client) => {
        const texts: string[] = [];
        for (let i = 1; i <= 30; i++) {
          const message = await client.next('message', (m) => m.room === '#general');
          expect(message.seq).toBe(i);
          texts.push(message.text);
        }
        return texts;
      }),
    );
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(bob.inbox.all.filter((f) => f.type === 'ack')).toHaveLength(10);

    // A direct message from node A to node C: both ends, then the ack.
    ada.send({ type: 'dm', to: 'CY', text: 'psst', ref: 'd1' });
    const atCy = await cy.next('message', (m) => m.to !== undefined);
    expect(atCy).toMatchObject({ from: 'ada', to: 'cy', text: 'psst' });
    expect(await ada.next('message', (m) => m.to !== undefined)).toEqual(atCy);
    expect(await ada.next('ack', (k) => k.ref === 'd1')).toMatchObject({ id: atCy.id });
    // Handed over on node C: no node says otherwise. A second message the same
    // way is the marker: an error for the first would have come before its ack.
    ada.send({ type: 'dm', to: 'CY', text: 'marker', ref: 'd2' });
    expect(await ada.before('ack', (k) => k.ref === 'd2')).not.toContainEqual(
      expect.objectContaining({ type: 'error' }),
    );
    ada.send({ type: 'dm', to: 'nobody', text: '?', ref: 'd2' });
    expect(await ada.next('error', (e) => e.ref === 'd2')).toMatchObject({ code: 'no_such_user' });

    // A name is taken across nodes, ignoring case.
    const other = await user(a);
    other.send({ type: 'hello', version: 1, name: 'BOB' });
    expect(await other.next('error')).toMatchObject({ code: 'name_taken' });

    // A nick on node B reaches the others; the old name comes free everywhere.
    bob.send({ type: 'nick', name: 'robert' });
    expect(await ada.next('nick')).toEqual({ type: 'nick', old: 'bob', name: 'robert' });
    expect(await cy.next('nick')).toEqual({ type: 'nick', old: 'bob', name: 'robert' });
    other.send({ type: 'hello', version: 1, name: 'bob' });
    expect(await other.next('welcome')).toMatchObject({ name: 'bob' });
    ada.send({ type: 'who', room: '#general' });
    expect((await ada.next('names', (n) => n.room === '#general')).names.sort()).toEqual([
      'ada',
      'bob',
      'cy',
      'robert',
    ]);

    // A quit on node C is a `left` everywhere.
    await cy.quit();
    expect(await ada.next('left', (l) => l.room === '#general')).toMatchObject({
      name: 'cy',
      reason: 'quit',
    });
  });

  it('has Redis metrics on a node, and none on a single process', async () => {
    const a = await node(newChat());
    const scrape = scrapeMetrics;
    const metrics = await scrape(a);
    expect(metrics).toMatch(/^confab_redis_up 1$/m);
    expect(metrics).toMatch(/^confab_cluster_nodes 1$/m);
    const single = await startServer({ store: 'memory' });
    servers.push(single.server);
    expect(await scrape(single.port)).not.toContain('confab_redis');
  });

  it('resumes on another node with nothing missed and nothing twice', async () => {
    const chat = newChat();
    const [a, b] = [await node(chat), await node(chat)];
    const ada = await user(a, 'ada');
    const bob = await user(b, 'bob');
    for (let i = 1; i <= 3; i++) bob.send({ type: 'say', room: '#general', text: `m${i}` });
    for (let i = 1; i <= 3; i++) await ada.next('message', (m) => m.seq === i);
    ada.end();
    await bob.next('left', (l) => l.name === 'ada');
    for (let i = 4; i <= 7; i++) bob.send({ type: 'say', room: '#general', text: `m${i}` });
    await bob.next('message', (m) => m.seq === 7);

    const back = await user(b);
    back.send({ type: 'hello', version: 1, name: 'ada', resume: { '#general': 3 } });
    await back.next('welcome');
    const replay = await back.next('history', (h) => h.room === '#general');
    expect(replay.messages.map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(replay.more).toBe(false);
    bob.send({ type: 'say', room: '#general', text: 'm8' });
    expect(await back.next('message')).toMatchObject({ seq: 8, text: 'm8' });
    // The next message is the marker: nothing came twice before it.
    bob.send({ type: 'say', room: '#general', text: 'm9' });
    expect(await back.before('message', (m) => m.seq === 9)).not.toContainEqual(
      expect.objectContaining({ type: 'message' }),
    );
  });

  it('keeps direct messages across nodes, in order, and gives them back on any node', async () => {
    const chat = newChat();
    const [a, b, c] = [await node(chat), await node(chat), await node(chat)];
    const hello = (name: string, extra: Record<string, unknown> = {}) => ({
      type: 'hello',
      version: 1,
      name,
      guest: `${name}-key-0123456789abcdefghij`,
      ...extra,
    });
    const ada = await user(a);
    ada.send(hello('ada'));
    await ada.next('dm_history');
    const cy = await user(c);
    cy.send(hello('cy'));
    await cy.next('dm_history');
    const bob = await user(b);
    bob.send(hello('bob'));
    await bob.next('dm_history');
    // Two senders on two nodes write to bob at once: his mailbox numbers them, and he gets them in that order.
    for (let i = 0; i < 10; i++) {
      ada.send({ type: 'dm', to: 'bob', text: `a${i}`, ref: `a${i}` });
      cy.send({ type: 'dm', to: 'bob', text: `c${i}`, ref: `c${i}` });
    }
    const seen: MessageFrame[] = [];
    for (let i = 0; i < 20; i++) seen.push(await bob.next('message', (m) => m.to === 'bob'));
    expect(seen.map((m) => m.dseq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await ada.next('ack', (k) => k.ref === 'a9');
    await cy.next('ack', (k) => k.ref === 'c9');
    await bob.quit();
    const back = await user(c);
    back.send(hello('bob', { dseq: 15 }));
    const replay = await back.next('dm_history');
    expect(replay.messages.map((m) => m.dseq)).toEqual([16, 17, 18, 19, 20]);
    expect(replay.messages.map((m) => m.text)).toEqual(seen.slice(15).map((m) => m.text));
  });

  it('is one person across nodes, and a session logged out on one node is out on all', async () => {
    const chat = newChat();
    const [a, b, c] = [await node(chat, { passwordCost: 10 }), await node(chat), await node(chat)];
    const login = async (port: number, credentials: Record<string, unknown>) => {
      const client = await user(port);
      client.send({ type: 'hello', version: 1, name: 'ada', ...credentials });
      const welcome = await client.next('welcome');
      await client.next('dm_history');
      client.inbox.drain();
      return { client, welcome };
    };
    const bob = await user(c, 'bob');
    const laptop = await login(a, { password: 'correct horse', register: true });
    const phone = await login(b, { token: laptop.welcome.token });
    expect(phone.welcome.account).toBe('ada');
    await bob.next('joined', (j) => j.name === 'ada');
    // A join made on node a is made on node b; the room hears it once.
    laptop.client.send({ type: 'join', room: '#ops' });
    await phone.client.next('joined', (j) => j.room === '#ops');
    bob.send({ type: 'join', room: '#ops' });
    await bob.next('history', (h) => h.room === '#ops');
    bob.send({ type: 'who', room: '#ops' });
    expect((await bob.next('names', (n) => n.room === '#ops')).names.sort()).toEqual([
      'ada',
      'bob',
    ]);
    // A message to ada reaches both devices, wherever they are.
    bob.send({ type: 'dm', to: 'ada', text: 'to both nodes', ref: 'x' });
    await laptop.client.next('message', (m) => m.text === 'to both nodes');
    await phone.client.next('message', (m) => m.text === 'to both nodes');
    // Logged out from a third device (another login, on node c): both connections end.
    const desk = await login(c, { password: 'correct horse' });
    desk.client.send({ type: 'sessions' });
    const { sessions } = await desk.client.next('sessions');
    const stolen = sessions.find((s) => !s.current)!;
    desk.client.send({ type: 'revoke', id: stolen.id });
    expect(await laptop.client.next('quit')).toEqual({ type: 'quit', reason: 'session_revoked' });
    expect(await phone.client.next('quit')).toEqual({ type: 'quit', reason: 'session_revoked' });
    for (const port of [a, b, c]) {
      const thief = await user(port);
      thief.send({ type: 'hello', version: 1, name: 'ada', token: laptop.welcome.token });
      expect(await thief.next('error')).toMatchObject({ code: 'auth_failed' });
    }
    // ada is still there (the desk): the room heard no leave. The desk's message,
    // sent after the revoked devices ended, is the marker: a leave would be first.
    desk.client.send({ type: 'say', room: '#general', text: 'still at my desk' });
    const heard = await bob.before('message', (m) => m.text === 'still at my desk');
    expect(heard.filter((f) => f.type === 'left')).toEqual([]);
  });

  it('leaves nothing of a node behind in Redis when it stops cleanly', async () => {
    const chat = newChat();
    const a = await node(chat);
    const { server: leaving, port: b } = await startServer({
      redis: redis.url,
      redisPrefix: chat,
      nodeTtl: NODE_TTL_MS,
    });
    const ada = await user(a, 'ada');
    await user(b, 'bob');
    await ada.next('joined', (j) => j.name === 'bob');
    const leavingNode = (await health(b)).cluster!.node;
    await leaving.close();
    expect(await ada.next('left')).toMatchObject({ name: 'bob', reason: 'disconnected' });
    const admin = new Redis(redis.url);
    try {
      expect((await admin.keys(`${chat}*`)).filter((key) => key.includes(leavingNode))).toEqual([]);
      expect(await admin.exists(`${chat}name:bob`)).toBe(0);
      expect(await admin.smembers(`${chat}nodes`)).toEqual([(await health(a)).cluster!.node]);
      expect(Object.keys(await admin.hgetall(`${chat}members:#general`))).toEqual(['ada']);
    } finally {
      admin.disconnect();
    }
  });

  it('sends its users to reconnect when the cluster took the node for dead while it lived', async () => {
    const chat = newChat();
    const a = await node(chat, { nodeTtl: NODE_TTL_MS });
    const ada = await user(a, 'ada');
    const stalled = (await health(a)).cluster!.node;
    // What the others do when its heartbeat is late: its key expires and it is struck off.
    const admin = new Redis(redis.url);
    try {
      await admin.del(`${chat}node:${stalled}`);
      await admin.srem(`${chat}nodes`, stalled);
    } finally {
      admin.disconnect();
    }
    expect(await ada.next('quit', undefined, 5_000)).toEqual({
      type: 'quit',
      reason: 'server_shutdown',
    });
    const back = await user(a, 'ada');
    expect(back.isClosed).toBe(false);
  });

  it('takes a killed node for dead: its users leave everywhere and their names come free', async () => {
    const chat = newChat();
    const a = await node(chat, { nodeTtl: NODE_TTL_MS });
    const doomed = await processNode(chat);
    const ada = await user(a, 'ada');
    const eve = await user(doomed.port, 'eve');
    eve.send({ type: 'join', room: '#ops' });
    await eve.next('history', (h) => h.room === '#ops');
    ada.send({ type: 'join', room: '#ops' });
    await ada.next('history', (h) => h.room === '#ops');
    await ada.next('joined', (j) => j.name === 'eve' && j.room === '#general');

    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    const leaves = await Promise.all(
      ['#general', '#ops'].map((room) =>
        ada.next('left', (l) => l.room === room && l.name === 'eve', 15_000),
      ),
    );
    // The bound is ttl + ttl / 5 after the last heartbeat (and one ttl after a node connects).
    expect(Date.now() - killedAt).toBeLessThan(NODE_TTL_MS * 3);
    for (const left of leaves) expect(left.reason).toBe('disconnected');
    ada.inbox.drain();
    ada.send({ type: 'who', room: '#ops' });
    expect((await ada.next('names', (n) => n.room === '#ops')).names).toEqual(['ada']);
    const again = await user(a);
    again.send({ type: 'hello', version: 1, name: 'eve' });
    expect(await again.next('welcome')).toMatchObject({ name: 'eve' });
  });
});

describe('--workers', () => {
  it('runs processes that share one port and one chat, and stop together', async () => {
    const chat = newChat();
    const data = tempDir();
    const { child: primary, ports } = await spawnServer(
      [
        '--port',
        '0',
        '--workers',
        '2',
        '--redis',
        redis.url,
        '--redis-prefix',
        chat,
        '--data-dir',
        data.path,
      ],
      { listeners: 2 },
    );
    children.push(primary);
    expect(ports[1]).toBe(ports[0]);
    const port = ports[0]!;
    // Connections are handed to the workers in turn: two answers, two nodes.
    const nodes = new Set<string>();
    for (let i = 0; i < 4; i++) {
      nodes.add((await health(port)).cluster!.node);
    }
    expect(nodes.size).toBe(2);

    const people = await Promise.all(['ada', 'bob', 'cy', 'dee'].map((name) => user(port, name)));
    people[0]!.send({ type: 'say', room: '#general', text: 'one port, two processes' });
    for (const person of people)
      expect(await person.next('message')).toMatchObject({ from: 'ada', seq: 1 });
    // Each process searches its own copy of the index, one file each in the data folder.
    for (const [i, person] of people.entries()) {
      person.send({ type: 'search', query: 'two processes', ref: `s${i}` });
      expect(await person.next('search_results', (r) => r.ref === `s${i}`)).toMatchObject({
        hits: [{ from: 'ada', room: '#general', seq: 1 }],
      });
    }
    expect(
      readdirSync(data.path)
        .filter((file) => file.endsWith('.sqlite'))
        .sort(),
    ).toEqual(['search-index-0.sqlite', 'search-index-1.sqlite']);

    const exited = new Promise((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    for (const person of people)
      expect(await person.next('quit')).toEqual({ type: 'quit', reason: 'server_shutdown' });
    expect(await exited).toBe(0);
    data.remove();
  });
});

describe('Redis going away', () => {
  // Up to 80 frames read one by one after every node resubscribes: longer than a
  // test's default on a busy machine, though each wait is short.
  it('catches up from the store what pub/sub dropped while a subscription was cut', async () => {
    const chat = newChat();
    const [a, b] = [await node(chat), await node(chat)];
    const ada = await user(a, 'ada');
    const bob = await user(b, 'bob');
    await ada.next('joined', (j) => j.name === 'bob');
    const admin = new Redis(redis.url);
    try {
      for (let i = 1; i <= 40; i++) {
        bob.send({ type: 'say', room: '#general', text: `m${i}`, ref: `r${i}` });
        // Every node's subscription is cut while messages are being published.
        if (i === 10) await admin.client('KILL', 'TYPE', 'pubsub');
        await pause(5);
      }
    } finally {
      admin.disconnect();
    }
    for (const client of [ada, bob]) {
      for (let i = 1; i <= 40; i++)
        expect(await client.next('message', undefined, 8_000)).toMatchObject({
          seq: i,
          text: `m${i}`,
        });
    }
    for (let i = 1; i <= 40; i++) await bob.next('ack', (k) => k.ref === `r${i}`);
    // The next message is the marker: none of the 40 came twice before it.
    bob.send({ type: 'say', room: '#general', text: 'm41' });
    expect(await ada.before('message', (m) => m.seq === 41, 8_000)).not.toContainEqual(
      expect.objectContaining({ type: 'message' }),
    );
  }, 60_000);

  it('refuses messages while Redis is down, says so, comes back by itself, and loses nothing acked', async () => {
    const chat = newChat();
    const [a, b] = [await node(chat), await node(chat)];
    const ada = await user(a, 'ada');
    const bob = await user(b, 'bob');
    await ada.next('joined', (j) => j.name === 'bob');
    const acked = new Map<string, number>();
    const refused: string[] = [];
    let n = 0;
    const say = () => {
      const ref = `r${n++}`;
      ada.send({ type: 'say', room: '#general', text: ref, ref });
      return ref;
    };
    const answered = (answer: ServerFrame) => {
      if (answer.type === 'ack') acked.set(answer.id, answer.seq!);
      else if (answer.type === 'error') {
        expect(answer.code).toBe('unavailable');
        refused.push(answer.ref!);
      }
    };
    const answerTo = (ref: string, ms: number) =>
      ada.inbox.take(
        (f) => (f.type === 'ack' || f.type === 'error') && f.ref === ref,
        `answer to ${ref}`,
        ms,
      );
    const settle = async (ref: string) => answered(await answerTo(ref, 8_000));
    /**
     * A message Redis stored just before it died, whose publication died
     * with it, is acked only once the node reads it back, after Redis
     * returns: while Redis is down it is waited for a while, then later.
     */
    const unanswered: string[] = [];
    const settleDuringOutage = async (ref: string) => {
      try {
        answered(await answerTo(ref, 8_000));
      } catch {
        unanswered.push(ref);
      }
    };

    for (let i = 0; i < 5; i++) await settle(say());
    ada.send({ type: 'say', room: '#general', text: 'said before the outage', ref: 'before' });
    await ada.next('ack', (a) => a.ref === 'before');
    // Redis dies mid-conversation (SIGKILL: only what it wrote to its AOF survives).
    // It goes on until the cluster refuses one (bounded), however long the crash
    // takes on a busy machine: messages are sent across it, not only before it.
    const sending = (async () => {
      for (let i = 0; i < 500 && refused.length === 0; i++) {
        await settleDuringOutage(say());
        await pause(20);
      }
    })();
    await pause(100);
    await redis.crash();
    await waitFor(async () => (await health(a)).status === 'degraded', 'degraded health');
    const down = await health(a);
    expect(down.cluster?.redis).toBe('down');
    const metrics = await scrapeMetrics(a);
    expect(metrics).toMatch(/^confab_redis_up 0$/m);
    await sending;
    expect(refused.length).toBeGreaterThan(0);
    // A join is refused whole: no `joined` for a room the cluster did not record.
    ada.send({ type: 'join', room: '#ops', ref: 'j1' });
    expect(await ada.next('error', (e) => e.ref === 'j1')).toMatchObject({ code: 'unavailable' });
    expect(ada.inbox.all.some((f) => f.type === 'joined' && f.room === '#ops')).toBe(false);
    // A search finds it in the node's own copy of the index, but cannot read it: refused, not hung.
    ada.send({ type: 'search', query: 'outage', ref: 'q1' });
    expect(await ada.next('error', (e) => e.ref === 'q1')).toMatchObject({ code: 'unavailable' });

    await redis.restart();
    await waitFor(async () => (await health(a)).status === 'ok', 'recovery', 15_000);
    await waitFor(async () => (await health(b)).status === 'ok', 'recovery of b', 15_000);
    // What was not answered during the outage is answered now (stored and acked, or refused).
    for (const ref of unanswered) answered(await answerTo(ref, 15_000));
    // Messages flow again, across nodes.
    const ref = say();
    await settle(ref);
    expect(refused).not.toContain(ref);
    await bob.next('message', (m) => m.text === ref, 5_000);
    bob.send({ type: 'search', query: 'outage', ref: 'q2' });
    expect(await bob.next('search_results', (r) => r.ref === 'q2')).toMatchObject({
      hits: [{ from: 'ada', room: '#general' }],
    });

    // Every acked message is in history, with the seq its ack gave.
    bob.send({ type: 'history', room: '#general', limit: 200 });
    const page = await bob.next('history', (h) => h.room === '#general');
    const stored = new Map(page.messages.map((m: MessageFrame) => [m.id, m.seq]));
    for (const [id, seq] of acked) expect(stored.get(id)).toBe(seq);
    const seqs = page.messages.map((m) => m.seq!);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 60_000);

  it('refuses to start when Redis cannot be reached', async () => {
    const child = spawn(
      process.execPath,
      [CLI, '--port', '0', '--redis', 'redis://127.0.0.1:1', '--log-level', 'silent'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
