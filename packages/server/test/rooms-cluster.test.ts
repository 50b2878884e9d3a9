import { randomBytes } from 'node:crypto';
import type { ServerFrame } from '@confab/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfabServer } from '../src/index.js';
import type { FrameClient } from './helpers.js';
import { ROOMS, JsonClient, joinRoom as join, startServer } from './helpers.js';
import type { TestRedis } from '@confab/test-kit';
import { startRedis } from '@confab/test-kit';

/*
 * Rooms' rules on a Redis cluster of two nodes: a change made on one node
 * holds on the other as soon as it hears of it, and changes raced from two
 * nodes leave one answer that both agree on.
 */

const PASSWORD = 'correct horse';

let redis: TestRedis;
const servers: ConfabServer[] = [];
const clients: JsonClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.end();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await redis?.stop();
});

/** Two nodes of a fresh chat; resolves with their ports. */
async function twoNodes(): Promise<[number, number]> {
  const prefix = `confab:test:${randomBytes(4).toString('hex')}:`;
  const ports: number[] = [];
  for (let i = 0; i < 2; i++) {
    const { server, port } = await startServer({
      redis: redis.url,
      redisPrefix: prefix,
      passwordCost: 10,
      operators: 'root',
    });
    servers.push(server);
    ports.push(port);
  }
  return ports as [number, number];
}

async function connect(port: number): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  clients.push(client);
  return client;
}

async function account(port: number, name: string, register = true): Promise<JsonClient> {
  const client = await connect(port);
  await client.register(name, { password: PASSWORD, ...(register ? { register } : {}), ...ROOMS });
  return client;
}

/** The roles in a room as the node of `client` tells them. */
async function roles(client: FrameClient, room: string): Promise<Record<string, string>> {
  client.send({ type: 'who', room });
  return (await client.next('names', (f) => f.room === room)).roles ?? {};
}

describe('rooms on a cluster', () => {
  it('kick, ban and mute made on one node hold on the other as soon as it hears of them', async () => {
    const [a, b] = await twoNodes();
    const olga = await account(a, 'olga');
    await join(olga, '#den');
    const bob = await account(b, 'bob');
    await join(bob, '#den');
    // Someone on bob's node who hears what the room hears.
    const watcher = await account(b, 'watcher');
    await join(watcher, '#den');

    olga.send({ type: 'mute', room: '#den', name: 'bob' });
    await watcher.next('mod', (f) => f.action === 'mute');
    bob.send({ type: 'say', room: '#den', text: 'still talking', ref: 'm' });
    expect(await bob.next('error', (e) => e.ref === 'm')).toMatchObject({ code: 'muted' });

    olga.send({ type: 'ban', room: '#den', name: 'bob', reason: 'enough' });
    expect(await bob.next('left', (f) => f.room === '#den')).toMatchObject({
      reason: 'kicked',
      banned: true,
      by: 'olga',
    });
    await watcher.next('mod', (f) => f.action === 'ban');
    bob.send({ type: 'join', room: '#den', ref: 'j' });
    expect(await bob.next('error', (e) => e.ref === 'j')).toMatchObject({ code: 'banned' });

    // A kick takes every device, on every node.
    const carl = await account(a, 'carl');
    await join(carl, '#den');
    const carlsOther = await account(b, 'carl', false);
    olga.send({ type: 'kick', room: '#den', name: 'carl' });
    await carl.next('left', (f) => f.room === '#den' && f.reason === 'kicked');
    await carlsOther.next('left', (f) => f.room === '#den' && f.reason === 'kicked');
    // The room hears it once the last node has taken carl out: the list is asked after that.
    await watcher.next('left', (f) => f.room === '#den' && f.name === 'carl');
    watcher.send({ type: 'who', room: '#den' });
    expect((await watcher.next('names')).names.sort()).toEqual(['olga', 'watcher']);
  });

  it('two claims at once, from two nodes: one owner, both nodes agree', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 5; round++) {
      const room = `#free${round}`;
      const founder = await connect(a);
      await founder.register(`guest${round}`, ROOMS);
      await join(founder, room);
      const carol = await account(a, `carol${round}`);
      const dave = await account(b, `dave${round}`);
      await join(carol, room);
      await join(dave, room);
      carol.send({ type: 'claim', room, ref: 'c' });
      dave.send({ type: 'claim', room, ref: 'c' });
      // Each hears its own claim made, or its refusal.
      const answers = await Promise.all(
        (
          [
            [carol, `carol${round}`],
            [dave, `dave${round}`],
          ] as const
        ).map(([client, name]) =>
          client.inbox.take(
            (f) =>
              (f.type === 'mod' && f.action === 'claim' && f.by === name) ||
              (f.type === 'error' && f.ref === 'c'),
            'claim or refusal',
          ),
        ),
      );
      const won = answers.filter((f) => f.type === 'mod');
      expect(won).toHaveLength(1);
      const owner = (won[0] as Extract<ServerFrame, { type: 'mod' }>).by;
      expect(answers.find((f) => f.type === 'error')).toMatchObject({
        code: 'not_allowed',
        message: `${room} belongs to ${owner}`,
      });
      // Both nodes tell the same owner.
      expect(await join(carol, room)).toMatchObject({ owner });
      expect(await join(dave, room)).toMatchObject({ owner });
    }
  });

  it('/op and /deop raced from two nodes: every node ends with the same roles, those stored', async () => {
    const [a, b] = await twoNodes();
    const olga = await account(a, 'olga');
    await join(olga, '#den');
    const olgaOnB = await account(b, 'olga', false);
    const bob = await account(b, 'bob');
    await join(bob, '#den');
    for (let round = 0; round < 10; round++) {
      olga.send({ type: 'role', room: '#den', name: 'bob', role: 'moderator', ref: `o${round}` });
      olgaOnB.send({ type: 'role', room: '#den', name: 'bob', role: 'member', ref: `d${round}` });
      // Each is done (its event heard) or refused (bob was a moderator, or not, already).
      await Promise.all([
        olga.inbox.take(
          (f) =>
            (f.type === 'mod' && f.role === 'moderator') ||
            (f.type === 'error' && f.ref === `o${round}`),
          'op',
        ),
        olgaOnB.inbox.take(
          (f) =>
            (f.type === 'mod' && f.role === 'member') ||
            (f.type === 'error' && f.ref === `d${round}`),
          'deop',
        ),
      ]);
      // What a new joiner on either node is told, and what each node answers to who, agree.
      const onA = await roles(olga, '#den');
      const onB = await roles(bob, '#den');
      expect(onB).toEqual(onA);
      const fresh = await connect(round % 2 === 0 ? a : b);
      await fresh.register(`fresh${round}`, ROOMS);
      await join(fresh, '#den');
      expect(await roles(fresh, '#den')).toEqual(onA);
      fresh.end();
    }
  });
});
