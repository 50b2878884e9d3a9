import type { ServerFrame } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';
import type { FrameClient } from './helpers.js';
import {
  JsonClient,
  PlainClient,
  WsClient,
  joinRoom,
  startServer,
  tempDir,
  say,
  testScope,
} from './helpers.js';

const scope = testScope();
const { cleanups, serve } = scope;

/** What a client that shows reactions asks for. */
const REACTIONS = { features: ['rooms', 'reactions'] };

/** Someone in #general who follows the changes; `extra`: their hello instead. */
async function person(
  port: number,
  name: string,
  extra: Record<string, unknown> = REACTIONS,
): Promise<JsonClient> {
  const client = await scope.person(port, name, extra);
  names.set(client, name);
  return client;
}

let refs = 0;

type Reaction = Extract<ServerFrame, { type: 'reaction' }>;

/** Names of the clients, for the news of their own reactions. */
const names = new WeakMap<FrameClient, string>();

/** Reacts and waits for the room's news of it. */
async function react(
  client: FrameClient,
  id: string,
  emoji: string,
  remove = false,
  room = '#general',
): Promise<Reaction> {
  client.send({ type: 'react', room, id, emoji, ...(remove ? { remove } : {}) });
  const name = names.get(client);
  return client.next(
    'reaction',
    (r) =>
      r.id === id &&
      r.emoji === emoji &&
      (r.removed === true) === remove &&
      (name === undefined || r.name === name),
  );
}

/** The error answering a `react` sent with a ref. */
async function refused(client: FrameClient, frame: Record<string, unknown>): Promise<string> {
  const ref = `r${++refs}`;
  client.send({ type: 'react', room: '#general', ...frame, ref });
  return (await client.next('error', (e) => e.ref === ref)).code;
}

describe('reactions', () => {
  it('go live to everyone in the room who follows them, counted, and come back in history', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const old = await person(port, 'old', {});
    const { id, seq } = await say(ada, 'lunch at noon?');
    await react(bob, id, '👍');
    const news = await react(ada, id, '👍');
    expect(news).toMatchObject({ room: '#general', id, seq, emoji: '👍', name: 'ada', count: 2 });
    expect(await bob.next('reaction', (r) => r.name === 'ada')).toEqual(news);
    await react(ada, id, '🎉');
    // One taken back.
    expect(await react(bob, id, '👍', true)).toMatchObject({ count: 1, removed: true });
    // Someone who comes later sees them under the message, theirs marked.
    ada.end();
    await bob.next('left', (l) => l.name === 'ada');
    const later = await JsonClient.connect(port);
    cleanups.push(() => later.end());
    later.send({ type: 'hello', version: 1, name: 'ada', ...REACTIONS });
    const history = await later.next('history', (h) => h.room === '#general');
    expect(history.messages.find((m) => m.id === id)?.reactions).toEqual([
      { emoji: '👍', count: 1, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    expect(history.rev).toBe(4);
    // A client of protocol 1.0 is sent no reaction frame; its history has the counts.
    await say(bob, 'marker');
    const before = await old.before('message', (m) => m.text === 'marker');
    expect(before.filter((f) => f.type === 'reaction' || f.type === 'update')).toEqual([]);
    old.send({ type: 'history', room: '#general' });
    const page = await old.next('history');
    expect(page.messages.find((m) => m.id === id)?.reactions).toEqual([
      { emoji: '👍', count: 1 },
      { emoji: '🎉', count: 1 },
    ]);
  });

  it('refuse what is not a single emoji, a message one cannot see, and a full message', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    await joinRoom(ada, '#elsewhere');
    const there = await say(ada, 'said elsewhere', '#elsewhere');
    const { id } = await say(ada, 'react to me');
    for (const emoji of ['a', '👍👍', '👍 ', '', 'x👍', '🏳️‍🌈'.repeat(5), 42])
      expect(await refused(ada, { id, emoji })).toBe('invalid_field');
    // A flag, a keycap, a joined family and a skin tone are one emoji each.
    for (const emoji of ['🇫🇷', '1️⃣', '👩‍👩‍👧', '👍🏽']) await react(ada, id, emoji);
    expect(await refused(ada, { id: there.id, emoji: '👍' })).toBe('no_such_message');
    expect(await refused(ada, { id: 'no-such-id', emoji: '👍' })).toBe('no_such_message');
    expect(await refused(ada, { id: there.id, emoji: '👍', room: '#nowhere' })).toBe('not_in_room');
    const faces = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    for (const face of faces.slice(0, LIMITS.maxReactionKinds - 4)) await react(ada, id, face);
    expect(await refused(ada, { id, emoji: faces.at(-1) })).toBe('too_many_reactions');
    // One it has is still welcome from someone else.
    const bob = await person(port, 'bob');
    expect(await react(bob, id, faces[0]!)).toMatchObject({ count: 2 });
  });

  it('are not news when given twice or taken back when not given', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const { id } = await say(ada, 'once');
    await react(ada, id, '👍');
    ada.send({ type: 'react', room: '#general', id, emoji: '👍' });
    ada.send({ type: 'react', room: '#general', id, emoji: '🎉', remove: true });
    await say(ada, 'marker');
    const before = await ada.before('message', (m) => m.text === 'marker');
    expect(before.filter((f) => f.type === 'reaction' || f.type === 'error')).toEqual([]);
  });

  it('are caught up on after a reconnect: an update per changed message, none twice', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob', { ...REACTIONS, guest: 'b'.repeat(43) });
    const first = await say(ada, 'first');
    const second = await say(ada, 'second');
    const last = await react(bob, first.id, '👍');
    await bob.next('message', (m) => m.id === second.id);
    bob.end();
    await ada.next('left', (l) => l.name === 'bob');
    // While bob is away: his reaction taken back by another device would be
    // his; here ada reacts to both, takes one back, and says more.
    await react(ada, first.id, '🎉');
    await react(ada, second.id, '❤️');
    await react(ada, second.id, '❤️', true);
    await react(ada, second.id, '😮');
    const third = await say(ada, 'third');
    await react(ada, third.id, '👀');
    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({
      type: 'hello',
      version: 1,
      name: 'bob',
      guest: 'b'.repeat(43),
      ...REACTIONS,
      resume: { '#general': second.seq },
      revs: { '#general': last.rev },
    });
    // A guest's registration ends with its mailbox: the rooms' replays come before it.
    const replay = await back.before('dm_history', () => true);
    const updates = replay.filter((f) => f.type === 'update');
    expect(updates).toEqual([
      {
        type: 'update',
        room: '#general',
        id: first.id,
        seq: first.seq,
        rev: last.rev + 1,
        from: 'ada',
        reactions: [
          { emoji: '👍', count: 1, me: true },
          { emoji: '🎉', count: 1 },
        ],
      },
      {
        type: 'update',
        room: '#general',
        id: second.id,
        seq: second.seq,
        rev: last.rev + 4,
        from: 'ada',
        reactions: [{ emoji: '😮', count: 1 }],
      },
    ]);
    const history = replay.findLast((f) => f.type === 'history')!;
    if (history.type !== 'history') throw new Error('no history');
    expect(history.rev).toBe(last.rev + 5);
    // The updates came before the messages that follow the resume point.
    expect(replay.indexOf(updates.at(-1)!)).toBeLessThan(replay.indexOf(history));
    expect(history.messages.map((m) => [m.text, m.reactions])).toEqual([
      ['third', [{ emoji: '👀', count: 1 }]],
    ]);
    // Live again: the next change comes as a reaction, once.
    const next = await react(ada, first.id, '🎉', true);
    expect(await back.next('reaction')).toEqual(next);
  });

  it('made while a long replay goes out reach the reader after it, none lost', async () => {
    // A room with more history than the sockets' buffers hold: 8 MB.
    const data = tempDir();
    cleanups.push(() => data.remove());
    const seed = await SqliteStore.open({ dataDir: data.path });
    const long = 'x'.repeat(4_000);
    await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        seed.append({
          id: `old-${i}`,
          roomKey: '#general',
          room: '#general',
          from: 'ada',
          text: `${i} ${long}`,
          ts: i,
          action: false,
        }),
      ),
    );
    await seed.close();
    // The per-address replay budget is for the tests of it: here the reader sets the pace.
    const port = await serve({
      store: 'sqlite',
      dataDir: data.path,
      replayRate: 0,
      replayReads: 0,
    });
    const ada = await person(port, 'ada');
    const first = { id: 'old-0' };
    // Bob resumes it all, and stops reading at once: the replay waits for him, part sent.
    const bob = await JsonClient.connect(port);
    cleanups.push(() => bob.end());
    bob.send({
      type: 'hello',
      version: 1,
      name: 'bob',
      ...REACTIONS,
      resume: { '#general': 0 },
      revs: { '#general': 0 },
    });
    bob.socket.pause();
    await ada.next('joined', (j) => j.name === 'bob');
    // Meanwhile the first message's reactions change.
    const changes: Array<[string, boolean]> = [
      ['👍', false],
      ['🎉', false],
      ['👍', true],
      ['❤️', false],
      ['🎉', true],
      ['😮', false],
    ];
    for (const [emoji, remove] of changes) await react(ada, first.id, emoji, remove);
    bob.socket.resume();
    // The replay, then what changed meanwhile: read back, as an update (its last change, rev 6).
    const frames = await bob.before('history', (h) => !h.more, 30_000);
    frames.push(await bob.next('update', (u) => u.id === first.id && u.rev === changes.length));
    await bob.beforePong().then((rest) => frames.push(...rest));
    // Bob's view of the first message, built as a client builds it: from history, updates, news.
    let shown: Array<{ emoji: string; count: number }> = [];
    for (const frame of frames) {
      if (frame.type === 'history')
        for (const m of frame.messages) if (m.id === first.id) shown = m.reactions ?? [];
      if (frame.type === 'update' && frame.id === first.id) shown = frame.reactions;
      if (frame.type === 'reaction' && frame.id === first.id) {
        shown = shown.filter((r) => r.emoji !== frame.emoji);
        if (frame.count > 0) shown.push({ emoji: frame.emoji, count: frame.count });
      }
    }
    const byEmoji = (list: Array<{ emoji: string; count: number }>) =>
      Object.fromEntries(list.map((r) => [r.emoji, r.count]));
    expect(byEmoji(shown)).toEqual({ '❤️': 1, '😮': 1 });
    // They came after the replay, read back: not as news held up to a bound, nor twice.
    expect(frames.filter((f) => f.type === 'reaction')).toEqual([]);
    expect(frames.filter((f) => f.type === 'update')).toHaveLength(1);
  }, 60_000);

  it('are caught up on across a restart of the server', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const first = await startServer({ store: 'sqlite', dataDir: data.path });
    const ada = await JsonClient.connect(first.port);
    await ada.register('ada', REACTIONS);
    const message = await say(ada, 'kept');
    const mine = await react(ada, message.id, '👍');
    ada.end();
    await first.server.close();
    const port = await serve({ store: 'sqlite', dataDir: data.path });
    const bob = await person(port, 'bob');
    const news = await react(bob, message.id, '🎉');
    expect(news.rev).toBe(mine.rev + 1);
    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({
      type: 'hello',
      version: 1,
      name: 'ada',
      ...REACTIONS,
      resume: { '#general': message.seq },
      revs: { '#general': mine.rev },
    });
    expect(await back.next('update')).toMatchObject({
      id: message.id,
      rev: news.rev,
      reactions: [
        { emoji: '👍', count: 1, me: true },
        { emoji: '🎉', count: 1 },
      ],
    });
  });

  it('work over WebSocket, and plain text shows their counts in history', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const ws = await WsClient.connect(port);
    cleanups.push(() => ws.end());
    await ws.register('wes', REACTIONS);
    names.set(ws, 'wes');
    const { id } = await say(ada, 'over the web');
    expect(await react(ws, id, '👍')).toMatchObject({ name: 'wes', count: 1 });
    await ada.next('reaction', (r) => r.name === 'wes');
    const pat = await PlainClient.named(port, 'pat');
    expect(await pat.line('over the web')).toMatch(/<ada> over the web \[👍 1\]$/);
    pat.type('/react 👍');
    expect(await pat.line('/react')).toMatch(/^! \/react is for Confab's clients/);
  });
});
