import type { ServerFrame } from '@confab/protocol';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import {
  JsonClient,
  PlainClient,
  joinRoom,
  rawFiles,
  startRedis,
  say,
  startServer,
  tempDir,
  testScope,
  waitFor,
} from './helpers.js';

const scope = testScope();
const { cleanups, serve } = scope;

/** What a client that shows edits, deletes and reactions asks for. */
const CHANGES = { features: ['rooms', 'reactions', 'edits'] };

/** Someone in #general who follows the changes; `extra`: their hello instead. */
async function person(
  port: number,
  name: string,
  extra: Record<string, unknown> = CHANGES,
): Promise<JsonClient> {
  const client = await scope.person(port, name, extra);
  return client;
}

let refs = 0;

/** Sends a frame with a ref; resolves with the error code answering it. */
async function refused(client: FrameClient, frame: Record<string, unknown>): Promise<string> {
  const ref = `r${++refs}`;
  client.send({ room: '#general', ...frame, ref });
  return (await client.next('error', (e) => e.ref === ref)).code;
}

type Message = Extract<ServerFrame, { type: 'message' }>;

/** The room's newest page of history, as `client` reads it. */
async function history(client: FrameClient, room = '#general'): Promise<Message[]> {
  client.send({ type: 'history', room });
  return (await client.next('history', (h) => h.room === room)).messages;
}

describe('edits', () => {
  it('replace the text for everyone following them, in history and in the quotes of it', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const old = await person(port, 'old', {});
    const first = await say(ada, 'the meeting is at 3');
    const reply = await say(bob, 'noted', '#general', first.id);
    ada.send({ type: 'edit', room: '#general', id: first.id, text: 'the meeting is at 4' });
    const edited = await bob.next('edited');
    expect(edited).toMatchObject({
      room: '#general',
      id: first.id,
      seq: first.seq,
      from: 'ada',
      text: 'the meeting is at 4',
    });
    expect(await ada.next('edited')).toEqual(edited);
    const page = await history(bob);
    expect(page.find((m) => m.id === first.id)).toMatchObject({
      text: 'the meeting is at 4',
      edited: edited.edited,
    });
    expect(page.find((m) => m.id === reply.id)?.reply).toEqual({
      id: first.id,
      from: 'ada',
      text: 'the meeting is at 4',
    });
    // A client of protocol 1.0 is not told; its history has the new text.
    await say(bob, 'marker');
    const before = await old.before('message', (m) => m.text === 'marker');
    expect(before.filter((f) => f.type === 'edited')).toEqual([]);
    expect((await history(old)).find((m) => m.id === first.id)?.text).toBe('the meeting is at 4');
  });

  it('are for one’s own messages only, in a room one is in, of a message kept and not deleted', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const mine = await say(ada, 'mine');
    expect(await refused(bob, { type: 'edit', id: mine.id, text: 'hijacked' })).toBe('not_allowed');
    expect(await refused(ada, { type: 'edit', id: 'no-such-id', text: 'x' })).toBe(
      'no_such_message',
    );
    expect(await refused(ada, { type: 'edit', id: mine.id, text: 'x', room: '#else' })).toBe(
      'not_in_room',
    );
    expect(await refused(ada, { type: 'edit', id: mine.id, text: 'x'.repeat(5000) })).toBe(
      'text_too_long',
    );
    expect(await refused(ada, { type: 'edit', id: mine.id, text: '' })).toBe('invalid_field');
    ada.send({ type: 'delete', room: '#general', id: mine.id });
    await ada.next('deleted');
    expect(await refused(ada, { type: 'edit', id: mine.id, text: 'back' })).toBe('no_such_message');
    expect(await refused(ada, { type: 'react', id: mine.id, emoji: '👍' })).toBe('no_such_message');
    expect(await refused(ada, { type: 'delete', id: mine.id })).toBe('no_such_message');
    // Someone else with the name later is not the one who sent it.
    const gone = await say(bob, 'bob was here');
    bob.end();
    await ada.next('left', (l) => l.name === 'bob');
    const other = await person(port, 'bob');
    expect(await refused(other, { type: 'edit', id: gone.id, text: 'me too' })).toBe('not_allowed');
  });
});

describe('deletes', () => {
  it('leave a tombstone: the text, its quotes and its reactions gone, for everyone', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const oops = await say(ada, 'my password is hunter2');
    const reply = await say(bob, 'change it now', '#general', oops.id);
    bob.send({ type: 'react', room: '#general', id: oops.id, emoji: '😮' });
    await ada.next('reaction');
    ada.send({ type: 'delete', room: '#general', id: oops.id });
    const deleted = await bob.next('deleted');
    expect(deleted).toMatchObject({ id: oops.id, seq: oops.seq, from: 'ada', deleted_by: 'ada' });
    const page = await history(bob);
    const tombstone = page.find((m) => m.id === oops.id)!;
    expect(tombstone).toMatchObject({ seq: oops.seq, text: '', deleted: true, deleted_by: 'ada' });
    expect(tombstone.reactions).toBeUndefined();
    expect(page.find((m) => m.id === reply.id)?.reply).toEqual({
      id: oops.id,
      from: 'ada',
      text: '',
      deleted: true,
    });
    expect(JSON.stringify(page)).not.toContain('hunter2');
  });

  it('of another’s message are for the room’s owner and moderators, not its members', async () => {
    const port = await serve();
    const owen = await JsonClient.connect(port);
    cleanups.push(() => owen.end());
    await owen.register('owen', { ...CHANGES, password: 'owen password', register: true });
    await joinRoom(owen, '#den');
    const gus = await person(port, 'gus');
    await joinRoom(gus, '#den');
    const spam = await say(gus, 'buy cheap stuff', '#den');
    const rule = await say(owen, 'no ads here', '#den');
    expect(await refused(gus, { type: 'delete', id: rule.id, room: '#den' })).toBe('not_allowed');
    owen.send({ type: 'delete', room: '#den', id: spam.id });
    expect(await gus.next('deleted')).toMatchObject({
      id: spam.id,
      from: 'gus',
      deleted_by: 'owen',
    });
  });

  it('and edits are caught up on after a reconnect, as updates', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const key = 'b'.repeat(43);
    const bob = await person(port, 'bob', { ...CHANGES, guest: key });
    const kept = await say(ada, 'draft');
    const gone = await say(ada, 'regret');
    const react = (id: string) => ada.send({ type: 'react', room: '#general', id, emoji: '👍' });
    react(kept.id);
    const last = await bob.next('reaction');
    bob.end();
    await ada.next('left', (l) => l.name === 'bob');
    ada.send({ type: 'edit', room: '#general', id: kept.id, text: 'final' });
    const edited = await ada.next('edited');
    ada.send({ type: 'delete', room: '#general', id: gone.id });
    await ada.next('deleted');
    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({
      type: 'hello',
      version: 1,
      name: 'bob',
      guest: key,
      ...CHANGES,
      resume: { '#general': gone.seq },
      revs: { '#general': last.rev },
    });
    const replay = await back.before('dm_history', () => true);
    expect(replay.filter((f) => f.type === 'update')).toEqual([
      {
        type: 'update',
        room: '#general',
        id: kept.id,
        seq: kept.seq,
        rev: last.rev + 1,
        from: 'ada',
        text: 'final',
        edited: edited.edited,
        reactions: [{ emoji: '👍', count: 1 }],
      },
      {
        type: 'update',
        room: '#general',
        id: gone.id,
        seq: gone.seq,
        rev: last.rev + 2,
        from: 'ada',
        deleted: true,
        deleted_by: 'ada',
        reactions: [],
      },
    ]);
  });

  it('show in plain text as lines, and in its history', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const pat = await PlainClient.named(port, 'pat');
    const typo = await say(ada, 'helo');
    const gone = await say(ada, 'never mind');
    ada.send({ type: 'edit', room: '#general', id: typo.id, text: 'hello' });
    expect(await pat.line('edited')).toMatch(/^\* ada edited a message: hello$/);
    ada.send({ type: 'delete', room: '#general', id: gone.id });
    expect(await pat.line('deleted')).toMatch(/^\* ada deleted a message\.$/);
    const later = await PlainClient.named(port, 'lou');
    expect(await later.line('hello')).toMatch(/<ada> hello \(edited\)$/);
    expect(await later.line('was deleted')).toMatch(/\* A message from ada was deleted\.$/);
  });

  it('work from plain text on its own last message in the room', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const pat = await PlainClient.named(port, 'pat');
    pat.type('/edit too soon');
    expect(await pat.line('to edit')).toMatch(/^! You have said nothing in #general to edit\.$/);
    pat.type('helo all');
    const said = await ada.next('message', (m) => m.text === 'helo all');
    pat.type('/edit hello all');
    expect(await ada.next('edited')).toMatchObject({ id: said.id, text: 'hello all' });
    pat.type('/edit 2 hello');
    expect(await pat.line('only your last')).toMatch(/^! Plain text edits only your last message/);
    pat.type('/delete');
    expect(await ada.next('deleted')).toMatchObject({ id: said.id, deleted_by: 'pat' });
  });

  it('erase the text from the SQLite file and its log', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const { server, port } = await startServer({ store: 'sqlite', dataDir: data.path });
    cleanups.push(() => server.close());
    const ada = await person(port, 'ada');
    const secret = 'the vault code is 8675309';
    const oops = await say(ada, secret);
    await say(ada, `quoting: ${secret}`, '#general', oops.id).then((quote) =>
      ada.send({ type: 'delete', room: '#general', id: quote.id }),
    );
    await ada.next('deleted');
    ada.send({ type: 'delete', room: '#general', id: oops.id });
    await ada.next('deleted', (d) => d.id === oops.id);
    expect(rawFiles(data.path).includes(secret)).toBe(true);
    // The log is emptied a moment after a delete; the file never held it in free pages.
    await waitFor(() => !rawFiles(data.path).includes('8675309'), 'the text gone from the files');
  });

  it('erase the text from Redis, its append-only file included', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    // This Redis, read below (in the cluster project too: not the project's own).
    const port = await serve({ store: 'redis', redis: redis.url, redisPrefix: 'confab:erase:' });
    const ada = await person(port, 'ada');
    const secret = 'the vault code is 5551234';
    const oops = await say(ada, secret);
    await say(ada, 'noted', '#general', oops.id);
    ada.send({ type: 'delete', room: '#general', id: oops.id });
    await ada.next('deleted');
    const client = new Redis(redis.url);
    cleanups.push(async () => void (await client.quit()));
    // What Redis holds, key by key, and what it would write to a snapshot.
    const dumped = async () => {
      const keys = await client.keys('confab:erase:*');
      const values = await Promise.all(keys.map((key) => client.dumpBuffer(key)));
      return Buffer.concat(values.filter((v): v is Buffer => v !== null));
    };
    expect((await dumped()).includes('5551234')).toBe(false);
    await waitFor(async () => {
      const info = await client.info('persistence');
      return /aof_rewrite_in_progress:0/.test(info) && !rawFiles(redis.dir).includes('5551234');
    }, 'the append-only file rewritten without the text');
    await client.save();
    expect(rawFiles(redis.dir).includes('5551234')).toBe(false);
  });
});
