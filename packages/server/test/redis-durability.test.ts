import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../src/index.js';
import { createServer } from '../src/index.js';
import type { ConfabServer } from '../src/index.js';
import { JsonClient } from './helpers.js';
import type { TestRedis } from '@confab/test-kit';
import { startRedis } from '@confab/test-kit';

/** A Redis that keeps nothing across a restart: Redis's defaults here. */
let forgetful: TestRedis;
const servers: ConfabServer[] = [];
const clients: JsonClient[] = [];

beforeAll(async () => {
  forgetful = await startRedis({ persistent: false });
});
afterAll(async () => {
  await forgetful?.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.end();
  for (const server of servers.splice(0)) await server.close();
});

async function node(options: ServerOptions): Promise<{ server: ConfabServer; port: number }> {
  const server = createServer({
    port: 0,
    logLevel: 'silent',
    redis: forgetful.url,
    redisPrefix: `confab:test:${randomBytes(4).toString('hex')}:`,
    nodeTtl: 1_000,
    ...options,
  });
  const { port } = await server.listen();
  servers.push(server);
  return { server, port };
}

async function say(c: JsonClient, count: number, prefix: string): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    c.send({ type: 'say', room: '#general', text: `${prefix}${i}`, ref: `${prefix}${i}` });
    seqs.push((await c.next('ack', (a) => a.ref === `${prefix}${i}`, 10_000)).seq!);
  }
  return seqs;
}

describe('a Redis that can lose acked messages', () => {
  it('is refused at start unless told so, and the refusal says what to do', async () => {
    const server = createServer({ port: 0, logLevel: 'silent', redis: forgetful.url });
    await expect(server.listen()).rejects.toMatchObject({
      code: 'redis_not_durable',
      message: expect.stringMatching(/appendonly yes.*--redis-durability/),
    });
    await expect(node({ redisDurability: 'everysec' })).rejects.toMatchObject({
      code: 'redis_not_durable',
    });
    await node({ redisDurability: 'none' });
  });

  it('never gives a seq twice after it restarts empty: numbering goes on, and health says what was lost', async () => {
    const { port } = await node({ redisDurability: 'none' });
    const ada = await JsonClient.connect(port);
    clients.push(ada);
    await ada.register('ada');
    expect(await say(ada, 20, 'before')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await forgetful.crashAndRestart();
    // Redis forgot this node too: its users are sent to reconnect (as after a restart of the node).
    await ada.next('quit', () => true, 20_000);
    const back = await JsonClient.connect(port);
    clients.push(back);
    await back.register('ada');
    // The next message is numbered after all the node had given.
    back.send({ type: 'say', room: '#general', text: 'after', ref: 'after' });
    const seq = (await back.next('ack', (a) => a.ref === 'after', 10_000)).seq;
    expect(seq).toBe(21);
    // Numbering went on because the loss was found: /healthz says what it was.
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      cluster?: { lost?: { rooms: number; messages: number } };
    };
    const lost = health.cluster?.lost;
    expect(lost).toMatchObject({ rooms: 1, messages: 20 });
  });
});
