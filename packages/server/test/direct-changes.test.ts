import type { ServerFrame } from '@confab/protocol';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import {
  JsonClient,
  rawFiles,
  startRedis,
  startServer,
  tempDir,
  testScope,
  waitFor,
} from './helpers.js';

const scope = testScope();
const { cleanups, serve } = scope;

/** What a client that shows edits, deletes and reactions asks for. */
const FEATURES = ['rooms', 'reactions', 'edits'];

type DmHistory = Extract<ServerFrame, { type: 'dm_history' }>;
type Message = Extract<ServerFrame, { type: 'message' }>;

/**
 * Someone with an identity (`credentials`: a guest key, or an account's)
 * connected; resolves once their mailbox is replayed, with its last page.
 */
async function connect(
  port: number,
  name: string,
  credentials: Record<string, unknown>,
  extra: Record<string, unknown> = { features: FEATURES },
): Promise<{ client: JsonClient; mailbox: DmHistory }> {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  client.send({ type: 'hello', version: 1, name, ...credentials, ...extra });
  await client.next('welcome');
  const mailbox = await client.next('dm_history', (h) => !h.more);
  client.inbox.drain();
  return { client, mailbox };
}

const ADA = { guest: 'ada-own-secret-key-0123456789' };
const BOB = { password: 'correct horse', register: true };

let refs = 0;

/** Sends a direct message and waits for its ack; resolves with the sender's own copy. */
async function dm(client: FrameClient, to: string, text: string): Promise<Message> {
  const ref = `dm-${++refs}`;
  client.send({ type: 'dm', to, text, ref });
  const ack = await client.next('ack', (a) => a.ref === ref);
  return client.next('message', (m) => m.id === ack.id);
}

/** Sends a frame with a ref; resolves with the error code answering it. */
async function refused(client: FrameClient, frame: Record<string, unknown>): Promise<string> {
  const ref = `r${++refs}`;
  client.send({ ...frame, ref });
  return (await client.next('error', (e) => e.ref === ref)).code;
}

describe('changes to direct messages', () => {
  it('reach both ends, on every device, and stay in their mailboxes', async () => {
    const port = await serve();
    const ada = (await connect(port, 'ada', ADA)).client;
    const laptop = (await connect(port, 'bob', BOB)).client;
    const phone = (await connect(port, 'bob', { password: 'correct horse' })).client;
    const sent = await dm(ada, 'bob', 'lunch at noon?');
    const onLaptop = await laptop.next('message', (m) => m.id === sent.id);
    await phone.next('message', (m) => m.id === sent.id);

    // Either end reacts: each mailbox numbers the change, each device hears it once.
    laptop.send({ type: 'react', dm: true, id: sent.id, emoji: '👍' });
    const toAda = await ada.next('reaction');
    expect(toAda).toMatchObject({ id: sent.id, dseq: sent.dseq, emoji: '👍', name: 'bob' });
    expect(toAda).toMatchObject({ count: 1 });
    expect(toAda.room).toBeUndefined();
    const toPhone = await phone.next('reaction');
    expect(toPhone).toMatchObject({ id: sent.id, dseq: onLaptop.dseq, count: 1 });
    expect(await laptop.next('reaction')).toEqual(toPhone);
    ada.send({ type: 'react', dm: true, id: sent.id, emoji: '👍' });
    expect(await laptop.next('reaction')).toMatchObject({ name: 'ada', count: 2 });

    // Only its sender edits or deletes it, for both ends.
    expect(await refused(laptop, { type: 'edit', dm: true, id: sent.id, text: 'no' })).toBe(
      'not_allowed',
    );
    expect(await refused(phone, { type: 'delete', dm: true, id: sent.id })).toBe('not_allowed');
    ada.send({ type: 'edit', dm: true, id: sent.id, text: 'lunch at one?' });
    expect(await phone.next('edited')).toMatchObject({
      id: sent.id,
      dseq: onLaptop.dseq,
      from: 'ada',
      text: 'lunch at one?',
    });
    expect(await ada.next('edited')).toMatchObject({ dseq: sent.dseq, text: 'lunch at one?' });

    // A device that comes later reads the message as it is now, its own reactions marked.
    const tablet = await connect(port, 'bob', { password: 'correct horse' });
    const kept = tablet.mailbox.messages.find((m) => m.id === sent.id);
    expect(kept).toMatchObject({ text: 'lunch at one?', edited: expect.any(Number) });
    expect(kept!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(tablet.mailbox.rev).toBe(3);

    ada.send({ type: 'delete', dm: true, id: sent.id });
    expect(await laptop.next('deleted')).toMatchObject({ id: sent.id, deleted_by: 'ada' });
    expect(await tablet.client.next('deleted')).toMatchObject({ dseq: onLaptop.dseq });
    const after = await connect(port, 'bob', { password: 'correct horse' });
    const tombstone = after.mailbox.messages.find((m) => m.id === sent.id);
    expect(tombstone).toMatchObject({ text: '', deleted: true, deleted_by: 'ada' });
    expect(tombstone!.reactions).toBeUndefined();
    expect(await refused(laptop, { type: 'react', dm: true, id: sent.id, emoji: '🎉' })).toBe(
      'no_such_message',
    );
  });

  it('are refused for a message one does not keep, or without a place', async () => {
    const port = await serve();
    const ada = (await connect(port, 'ada', ADA)).client;
    const bob = (await connect(port, 'bob', BOB)).client;
    const sent = await dm(ada, 'bob', 'hello');
    await bob.next('message', (m) => m.id === sent.id);
    // Someone with no identity keeps no direct message to act on.
    const eve = await scope.person(port, 'eve', { features: FEATURES });
    expect(await refused(eve, { type: 'react', dm: true, id: sent.id, emoji: '👍' })).toBe(
      'no_such_message',
    );
    expect(await refused(bob, { type: 'edit', dm: true, id: 'nope', text: 'x' })).toBe(
      'no_such_message',
    );
    expect(
      await refused(bob, { type: 'react', dm: true, room: '#general', id: sent.id, emoji: '👍' }),
    ).toBe('invalid_field');
    expect(await refused(bob, { type: 'delete', id: sent.id })).toBe('invalid_field');
    expect(await refused(bob, { type: 'react', dm: true, id: sent.id, emoji: 'ok' })).toBe(
      'invalid_field',
    );
  });

  it('are caught up on after a reconnect, with no gap and no duplicate', async () => {
    const port = await serve();
    // ada has an account: what is sent to her while she is away waits for her.
    const first = await connect(port, 'ada', { password: 'battery staple', register: true });
    const bob = (await connect(port, 'bob', { guest: 'bob-own-secret-key-0123456789' })).client;
    const mine = await dm(first.client, 'bob', 'my question');
    const theirs = await dm(bob, 'ada', 'my answer');
    const heard = await first.client.next('message', (m) => m.id === theirs.id);
    const drev = first.mailbox.rev;
    expect(drev).toBe(0);
    await first.client.end();
    // While ada is away: bob reacts to hers, edits his, and writes again.
    bob.send({ type: 'react', dm: true, id: mine.id, emoji: '🎉' });
    await bob.next('reaction');
    bob.send({ type: 'edit', dm: true, id: theirs.id, text: 'my better answer' });
    await bob.next('edited');
    const later = await dm(bob, 'ada', 'and one more');

    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({
      type: 'hello',
      version: 1,
      name: 'ada',
      password: 'battery staple',
      features: FEATURES,
      dseq: heard.dseq,
      drev,
    });
    const updates: ServerFrame[] = [];
    const pages: DmHistory[] = [];
    for (;;) {
      const frame = await back.inbox.take(
        (f) => f.type === 'update' || f.type === 'dm_history',
        'the mailbox replay',
      );
      if (frame.type !== 'dm_history') updates.push(frame);
      else if ((pages.push(frame), !frame.more)) break;
    }
    // First the messages it has that changed, in the order of their last change ...
    expect(pages).toHaveLength(1);
    expect(updates).toEqual([
      {
        type: 'update',
        id: mine.id,
        dseq: mine.dseq,
        rev: 1,
        from: 'ada',
        reactions: [{ emoji: '🎉', count: 1 }],
      },
      {
        type: 'update',
        id: theirs.id,
        dseq: heard.dseq,
        rev: 2,
        from: 'bob',
        reactions: [],
        text: 'my better answer',
        edited: expect.any(Number),
      },
    ]);
    // ... then what came meanwhile, and the change number it is all as of.
    expect(pages[0]!.messages.map((m) => m.id)).toEqual([later.id]);
    expect(pages[0]!.rev).toBe(2);
    // Changes from now on come live, once each.
    bob.send({ type: 'react', dm: true, id: theirs.id, emoji: '👍' });
    expect(await back.next('reaction')).toMatchObject({ rev: 3, dseq: heard.dseq, count: 1 });
  });

  it('survive a restart, and a deleted one is erased from the SQLite files', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const first = await startServer({ store: 'sqlite', dataDir: data.path });
    const ada = (await connect(first.port, 'ada', ADA)).client;
    const bob = (await connect(first.port, 'bob', BOB)).client;
    const secret = 'my pin is 4815162342';
    const oops = await dm(ada, 'bob', secret);
    const kept = await dm(ada, 'bob', 'see you');
    await bob.next('message', (m) => m.id === kept.id);
    bob.send({ type: 'react', dm: true, id: kept.id, emoji: '👋' });
    await ada.next('reaction');
    expect(rawFiles(data.path).includes(secret)).toBe(true);
    ada.send({ type: 'delete', dm: true, id: oops.id });
    await bob.next('deleted');
    await ada.next('deleted');
    await ada.end();
    await bob.end();
    await first.server.close();
    // The log is emptied a moment after a delete; the file never held it in free pages.
    await waitFor(
      () => !rawFiles(data.path).includes('4815162342'),
      'the text gone from the files',
    );

    const again = await startServer({ store: 'sqlite', dataDir: data.path });
    cleanups.push(() => again.server.close());
    const back = await connect(again.port, 'ada', ADA);
    const byId = new Map(back.mailbox.messages.map((m) => [m.id, m]));
    expect(byId.get(oops.id)).toMatchObject({ text: '', deleted: true, deleted_by: 'ada' });
    expect(byId.get(kept.id)!.reactions).toEqual([{ emoji: '👋', count: 1 }]);
    expect(back.mailbox.rev).toBe(2);
    // Its numbering goes on where it was.
    back.client.send({ type: 'react', dm: true, id: kept.id, emoji: '👋' });
    expect(await back.client.next('reaction')).toMatchObject({ rev: 3, count: 2 });
  });

  it('erase a deleted one from Redis at both ends', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    // This Redis, read below (in the cluster project too: not the project's own).
    const port = await serve({
      store: 'redis',
      redis: redis.url,
      redisPrefix: 'confab:dm-erase:',
    });
    const ada = (await connect(port, 'ada', ADA)).client;
    const bob = (await connect(port, 'bob', BOB)).client;
    const oops = await dm(ada, 'bob', 'my pin is 2718281828');
    await bob.next('message', (m) => m.id === oops.id);
    const client = new Redis(redis.url);
    cleanups.push(async () => void (await client.quit()));
    const dumped = async () => {
      const keys = await client.keys('confab:dm-erase:*');
      const values = await Promise.all(keys.map((key) => client.dumpBuffer(key)));
      return Buffer.concat(values.filter((v): v is Buffer => v !== null));
    };
    expect((await dumped()).includes('2718281828')).toBe(true);
    ada.send({ type: 'delete', dm: true, id: oops.id });
    await bob.next('deleted');
    await ada.next('deleted');
    expect((await dumped()).includes('2718281828')).toBe(false);
  });
});
