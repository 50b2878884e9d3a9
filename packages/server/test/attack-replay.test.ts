import { describe, expect, it } from 'vitest';
import type { MessageFrame } from '@confab/protocol';
import { JsonClient, sameNode, scrapeMetrics, startServer, waitFor, testScope } from './helpers.js';

const { cleanups } = testScope();

async function client(port: number, name?: string, extra = {}): Promise<JsonClient> {
  const c = await JsonClient.connect(port);
  cleanups.push(() => c.end());
  if (name) await c.register(name, extra);
  return c;
}

/** Says `count` texts in batches, each acked before the next: a client that reads its echoes. */
async function fill(c: JsonClient, count: number, text: string, room = '#general'): Promise<void> {
  for (let i = 1; i <= count; i++) {
    c.send({ type: 'say', room, text, ref: String(i) });
    if (i % 50 === 0 || i === count) {
      // Redis writes each to disk before it answers: 50 of 4 KB can take a while on a busy machine.
      await c.next('ack', (a) => a.ref === String(i), 60_000);
      c.inbox.drain();
    }
  }
}

/** Reads a replay's pages until `more: false`. */
async function readReplay(c: JsonClient, type: 'history' | 'dm_history'): Promise<MessageFrame[]> {
  const got: MessageFrame[] = [];
  for (;;) {
    const page = await c.next(type, () => true, 20_000);
    got.push(...page.messages);
    if (!page.more) return got;
  }
}

describe('replays larger than the outbound bound', () => {
  it('a resume of 300 messages of 4 KB reaches a reader, in order, every time', async () => {
    const { server, port } = await startServer({ rateLimit: 0 });
    cleanups.push(() => server.close());
    const ada = await client(port, 'ada');
    await fill(ada, 300, 'x'.repeat(4000));
    for (let attempt = 0; attempt < 2; attempt++) {
      const bob = await client(port);
      bob.send({ type: 'hello', version: 1, name: `bob${attempt}`, resume: { '#general': 0 } });
      const got = await readReplay(bob, 'history');
      expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      await bob.quit();
    }
  }, 60_000);

  it('an account with 600 direct messages of 4 KB waiting logs in and reads every one', async () => {
    // Mailboxes here take what the test leaves: their bounds are another test's.
    const { server, port } = await startServer({
      rateLimit: 0,
      passwordCost: 10,
      mailboxWaiting: 10_000,
      mailboxWaitingBytes: 100 * 1024 * 1024,
    });
    cleanups.push(() => server.close());
    const owner = await client(port);
    owner.send({
      type: 'hello',
      version: 1,
      name: 'owner',
      password: 'a long password',
      register: true,
    });
    await owner.next('dm_history');
    await owner.quit();
    // Four guests leave 150 messages each while the owner is away; each is acked (kept).
    const text = 'd'.repeat(4000);
    await Promise.all(
      [0, 1, 2, 3].map(async (g) => {
        const guest = await client(port, `guest${g}`);
        for (let i = 1; i <= 150; i++) {
          guest.send({ type: 'dm', to: 'owner', text, ref: String(i) });
          if (i % 25 === 0) {
            await guest.next('ack', (a) => a.ref === String(i), 20_000);
            guest.inbox.drain();
          }
        }
      }),
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      const back = await client(port);
      back.send({ type: 'hello', version: 1, name: 'owner', password: 'a long password', dseq: 0 });
      await back.next('welcome', () => true, 20_000);
      const got = await readReplay(back, 'dm_history');
      expect(got.map((m) => m.dseq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
      await back.quit();
    }
  }, 90_000);

  it('drops a reader that stops reading in the middle of its replay, and serves the others', async () => {
    const { server, port } = await startServer({ rateLimit: 0, pingInterval: 1_000 });
    cleanups.push(() => server.close());
    // The replay budget that the stalled reader must not use up is its node's.
    sameNode(port);
    const ada = await client(port, 'ada');
    // 12 MB: more than the kernel's socket buffers on loopback take from a reader that never reads.
    await fill(ada, 3_000, 'y'.repeat(4000));
    const stalled = await client(port);
    stalled.socket.pause();
    stalled.send({ type: 'hello', version: 1, name: 'stalled', resume: { '#general': 0 } });
    // It keeps talking, so only its not reading can tell it apart.
    const talking = setInterval(() => stalled.send({ type: 'ping' }), 200);
    cleanups.push(() => clearInterval(talking));
    const slowConsumers = async () => {
      const metrics = await scrapeMetrics(port);
      return Number(/confab_slow_consumers_total (\d+)/.exec(metrics)?.[1]);
    };
    await waitFor(
      async () => (await slowConsumers()) > 0,
      'the stalled reader to be dropped',
      20_000,
    );
    expect(await slowConsumers()).toBe(1);
    const bob = await client(port);
    bob.send({ type: 'hello', version: 1, name: 'bob', resume: { '#general': 0 } });
    expect((await readReplay(bob, 'history')).length).toBe(3_000);
  }, 180_000);
});
