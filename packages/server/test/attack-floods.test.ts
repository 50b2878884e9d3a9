import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '@confab/protocol';
import type { PageQuery, StoredMessage } from '../src/index.js';
import { MemoryStore } from '../src/index.js';
import type { ConnectOptions } from './helpers.js';
import { JsonClient, PlainClient, pause, sameNode, waitFor, testScope } from './helpers.js';

/** A store that takes its time over reads, as a busy cluster's does: a join's replay is slow. */
class SlowStore extends MemoryStore {
  override async page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    await pause(400);
    return super.page(roomKey, query);
  }
}

const { cleanups, serve } = testScope();

async function client(port: number, name: string, from = '127.0.0.1'): Promise<JsonClient> {
  const c = await JsonClient.connect(port, { localAddress: from } satisfies ConnectOptions);
  cleanups.push(() => c.end());
  await c.register(name);
  return c;
}

/** Makes the account `name` with `hello`; resolves with the answer. */
async function register(port: number, name: string, from: string): Promise<ServerFrame> {
  const c = await JsonClient.connect(port, { localAddress: from });
  cleanups.push(() => c.end());
  c.send({ type: 'hello', version: 1, name, password: 'a long password', register: true });
  return c.inbox.take((f) => f.type === 'welcome' || f.type === 'error', 'welcome or error');
}

/** Waits for an answer (ack or error) to each of `count` refs, in the order they come. */
async function answers(c: JsonClient, count: number): Promise<ServerFrame[]> {
  const got: ServerFrame[] = [];
  for (let i = 0; i < count; i++)
    got.push(
      await c.inbox.take((f) => f.type === 'ack' || f.type === 'error', 'an answer', 20_000),
    );
  return got;
}

/**
 * Someone on nc pastes 100 lines right after joining, a reader in the room
 * listening: what was said, once every line was either said or refused.
 */
async function pasteHundred(port: number): Promise<{ said: string[]; refused: number }> {
  const reader = await client(port, 'reader');
  const nc = await PlainClient.connect(port);
  cleanups.push(() => void nc.socket.destroy());
  nc.type('paster');
  await nc.line('* In #general');
  nc.socket.write(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const refusals = () =>
    nc.lines.all.filter((line) => line.startsWith('! You are sending too fast')).length;
  const said = () =>
    reader.inbox.all.flatMap((f) => (f.type === 'message' && f.from === 'paster' ? [f.text] : []));
  await waitFor(() => refusals() + said().length >= 100, 'every line said or refused', 20_000);
  return { said: said(), refused: refusals() };
}

describe('floods from one address', () => {
  it('makes only so many accounts an hour from one address, and from its network', async () => {
    const port = await serve({ passwordCost: 10, registrationsPerHour: 3, loginRate: 0 });
    let made = 0;
    for (let i = 0; i < 3; i++)
      expect(await register(port, `one${made++}`, '127.0.0.1')).toMatchObject({ type: 'welcome' });
    expect(await register(port, `one${made++}`, '127.0.0.1')).toMatchObject({
      code: 'rate_limited',
    });
    // Other addresses of the same /24 share its allowance of three times as many.
    for (const from of ['127.0.0.2', '127.0.0.3'])
      for (let i = 0; i < 3; i++)
        expect(await register(port, `two${made++}`, from)).toMatchObject({ type: 'welcome' });
    expect(await register(port, `two${made}`, '127.0.0.4')).toMatchObject({
      code: 'rate_limited',
    });
    // A guest from there still chats.
    const guest = await client(port, 'guest', '127.0.0.4');
    guest.send({ type: 'say', room: '#general', text: 'hi', ref: 'hi' });
    expect(await guest.next('ack')).toMatchObject({ ref: 'hi' });
  });

  it('counts one address’s messages across its connections, and not another’s', async () => {
    const port = await serve({ rateLimit: 0, addressRate: 5, rateQueue: 0 });
    // Per-address rates are counted by each node for itself.
    sameNode(port);
    const flooders = await Promise.all(
      [1, 2, 3, 4].map((i) => client(port, `flood${i}`, '127.0.0.2')),
    );
    for (const flooder of flooders)
      for (let i = 0; i < 10; i++)
        flooder.send({ type: 'say', room: '#general', text: `f${i}`, ref: `f${i}` });
    const floods = (await Promise.all(flooders.map((f) => answers(f, 10)))).flat();
    const stored = floods.filter((a) => a.type === 'ack').length;
    // Ten at once (twice the rate), and a few more as the bucket refills meanwhile.
    expect(stored).toBeGreaterThanOrEqual(10);
    expect(stored).toBeLessThan(20);
    expect(floods.filter((a) => a.type === 'error')).toHaveLength(40 - stored);
    const neighbour = await client(port, 'neighbour', '127.0.0.1');
    for (let i = 0; i < 10; i++)
      neighbour.send({ type: 'say', room: '#general', text: `n${i}`, ref: `n${i}` });
    expect((await answers(neighbour, 10)).every((a) => a.type === 'ack')).toBe(true);
  });

  it('loses no line of a hundred pasted into nc: they come at the allowed rate, in order', async () => {
    const port = await serve({ rateLimit: 50, rateBurst: 40 });
    const reader = await client(port, 'reader');
    const nc = await PlainClient.connect(port);
    cleanups.push(() => void nc.socket.destroy());
    nc.type('paster');
    await nc.line('* In #general');
    nc.socket.write(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const texts: string[] = [];
    while (texts.length < 100) {
      const message = await reader.next('message', (m) => m.from === 'paster', 20_000);
      texts.push(message.text);
    }
    expect(texts).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
    expect(nc.text()).not.toContain('sending too fast');
  });

  it('refuses only what is pasted past the queue, each line told', async () => {
    const port = await serve({ rateLimit: 50, rateBurst: 40, rateQueue: 20 });
    // About 40 go at once, one is waited for, 20 wait behind it, and the rest are refused,
    // each with a line saying so: every line is either said or refused, none lost.
    const { said, refused } = await pasteHundred(port);
    expect(refused + said.length).toBe(100);
    expect(refused).toBeGreaterThanOrEqual(20);
    // More were said than go at once: those over the rate waited their turn, up to the queue.
    expect(said.length).toBeGreaterThanOrEqual(55);
    // What was said is in the order pasted.
    const numbers = said.map((text) => Number(text.slice('line '.length)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('refuses no line pasted within the rate while the join before it is still busy: only those over it, past the queue', async () => {
    const port = await serve({
      rateLimit: 50,
      rateBurst: 40,
      rateQueue: 20,
      ports: { store: new SlowStore() },
    });
    const { said, refused } = await pasteHundred(port);
    // The lines wait behind the join's slow replay, yet the 40 within the burst
    // and the 20 of the queue are said: what is refused is only what is over
    // the rate and past the queue.
    expect(said.length).toBeGreaterThanOrEqual(55);
    expect(refused).toBeGreaterThanOrEqual(20);
    expect(refused + said.length).toBe(100);
  });

  it('bounds what others may leave for an account that is away, and the owner gets in and reads all of it', async () => {
    // 40 may wait in all, 4 from one sender.
    const port = await serve({ passwordCost: 10, mailboxWaiting: 40, rateLimit: 0 });
    const owner = await JsonClient.connect(port);
    cleanups.push(() => owner.end());
    owner.send({
      type: 'hello',
      version: 1,
      name: 'owner',
      password: 'a long password',
      register: true,
    });
    await owner.next('dm_history');
    await owner.quit();
    const leave = async (sender: JsonClient, count: number) => {
      for (let i = 0; i < count; i++)
        sender.send({ type: 'dm', to: 'owner', text: `note ${i}`, ref: `d${i}` });
      return answers(sender, count);
    };
    const senders = await Promise.all(
      Array.from({ length: 11 }, (_, i) => client(port, `guest${i}`)),
    );
    // Each of the first ten leaves four; a fifth from one of them is refused.
    for (const sender of senders.slice(0, 10)) {
      const got = await leave(sender, 5);
      expect(got.slice(0, 4).every((a) => a.type === 'ack')).toBe(true);
      expect(got[4]).toMatchObject({ type: 'error', code: 'mailbox_full' });
    }
    // Forty wait: the mailbox takes no more from anyone.
    expect((await leave(senders[10]!, 1))[0]).toMatchObject({ code: 'mailbox_full' });
    // The owner is not kept out: logging in gives all forty.
    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({ type: 'hello', version: 1, name: 'owner', password: 'a long password', dseq: 0 });
    const kept: string[] = [];
    for (;;) {
      const page = await back.next('dm_history');
      kept.push(...page.messages.map((m) => m.from));
      if (!page.more) break;
    }
    expect(kept).toHaveLength(40);
    // Read now: the others may write again.
    expect((await leave(senders[10]!, 1))[0]).toMatchObject({ type: 'ack' });
  });
});
