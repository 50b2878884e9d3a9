import { describe, expect, it } from 'vitest';
import type { ConnectOptions } from './helpers.js';
import { JsonClient, sameNode, testScope } from './helpers.js';

/** Another machine, as the server sees it: loopback answers on all of 127.0.0.0/8. */
const ATTACKER: ConnectOptions = { localAddress: '127.0.0.2' };

const { cleanups, serve } = testScope();

async function client(port: number, name?: string, options: ConnectOptions = {}) {
  const c = await JsonClient.connect(port, options);
  cleanups.push(() => c.end());
  if (name) await c.register(name);
  return c;
}

/** Fills `#general` with `count` messages of 4 KB, each batch acked before the next. */
async function fill(port: number, count: number): Promise<void> {
  const writer = await client(port, 'writer');
  const text = 'w'.repeat(4000);
  for (let i = 1; i <= count; i++) {
    writer.send({ type: 'say', room: '#general', text, ref: String(i) });
    if (i % 50 === 0 || i === count) {
      await writer.next('ack', (a) => a.ref === String(i), 20_000);
      writer.inbox.drain();
    }
  }
  await writer.quit();
}

describe('one address cannot stall the server', () => {
  it('answers another client while a long resume replay is being sent', async () => {
    // 256 KB a second for the replaying address: its 2 MB replay takes seconds.
    const port = await serve({ rateLimit: 0, replayRate: 256 * 1024 });
    await fill(port, 500);
    const bystander = await client(port, 'bystander');
    const replaying = await client(port, undefined, ATTACKER);
    replaying.send({ type: 'hello', version: 1, name: 'replaying', resume: { '#general': 0 } });
    await replaying.next('history');
    bystander.send({ type: 'ping', ref: 'mid-replay' });
    await bystander.next('pong', (p) => p.ref === 'mid-replay');
    // The pong came while the replay had more to send.
    expect(replaying.inbox.all.some((f) => f.type === 'history' && !f.more)).toBe(false);
    const last = await replaying.next('history', (h) => !h.more, 30_000);
    expect(last.more).toBe(false);
  }, 60_000);

  it('slows one address asking for history as fast as it can, across its connections, and not another', async () => {
    // 128 KB a second, 512 KB at once: 8 pages of 64 KB, then 2 a second.
    const port = await serve({ rateLimit: 0, replayRate: 128 * 1024 });
    // An address's budget is counted by each node for itself.
    sameNode(port);
    await fill(port, 200);
    const attackers = [
      await client(port, 'attacker1', ATTACKER),
      await client(port, 'attacker2', ATTACKER),
    ];
    const bystander = await client(port, 'bystander');
    const started = Date.now();
    for (let i = 0; i < 12; i++)
      for (const attacker of attackers)
        attacker.send({ type: 'history', room: '#general', limit: 200 });
    // The attackers' first pages spend the address's budget…
    await attackers[0]!.next('history');
    await attackers[1]!.next('history');
    // …and the bystander, from another address, is answered before their next ones.
    bystander.send({ type: 'history', room: '#general', limit: 200 });
    await bystander.next('history');
    const pagesSoFar = attackers.map((a) => a.inbox.all.filter((f) => f.type === 'history').length);
    expect(Math.max(...pagesSoFar)).toBeLessThan(12);
    // 24 pages of ~64 KB from one address: at least 12 s at 128 KB a second less the 4 s at once.
    for (const attacker of attackers)
      for (let i = 1; i < 12; i++) await attacker.next('history', () => true, 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((24 * 64 - 512) / 128) * 1000 - 1000);
  }, 60_000);
});
