import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { MessageFrame } from '@confab/protocol';
import type { ConfabServer } from '../src/index.js';
import { JsonClient, spawnServer, startServer, tempDir, waitFor, testScope } from './helpers.js';

const { cleanups } = testScope();
async function serve(
  options: Parameters<typeof startServer>[0] = {},
): Promise<{ server: ConfabServer; port: number }> {
  const started = await startServer(options);
  cleanups.push(() => started.server.close());
  return started;
}

async function client(port: number, name?: string): Promise<JsonClient> {
  const c = await JsonClient.connect(port);
  cleanups.push(() => c.end());
  if (name) await c.register(name);
  return c;
}

/** Says `count` messages and waits for every ack. */
async function sayMany(
  c: JsonClient,
  count: number,
  prefix: string,
  room = '#general',
): Promise<void> {
  for (let i = 1; i <= count; i++)
    c.send({ type: 'say', room, text: `${prefix}${i}`, ref: `${prefix}${i}` });
  await c.next('ack', (a) => a.ref === `${prefix}${count}`, 10_000);
}

/** Reads a room's whole history through `history` pages, newest page first. */
async function readAll(c: JsonClient, room = '#general'): Promise<MessageFrame[]> {
  const all: MessageFrame[] = [];
  let before: number | undefined;
  for (;;) {
    c.send(
      before === undefined
        ? { type: 'history', room, limit: 200 }
        : { type: 'history', room, before, limit: 200 },
    );
    const page = await c.next('history');
    all.unshift(...page.messages);
    if (!page.more || page.messages.length === 0) return all;
    before = page.messages[0]!.seq;
  }
}

describe('history', () => {
  it('replays the last 50 messages on join, and pages back with before', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const ada = await client(port, 'ada');
    await sayMany(ada, 60, 'm');
    const bob = await client(port);
    bob.send({ type: 'hello', version: 1, name: 'bob' });
    const replay = await bob.next('history');
    expect(replay.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(replay.more).toBe(true);
    bob.send({ type: 'history', room: '#general', before: 11, limit: 20 });
    const page = await bob.next('history');
    expect(page.messages.map((m) => m.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 1}`),
    );
    expect(page.more).toBe(false);
  });

  it('cuts a page of long messages to fit the frame limit, and says more', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const ada = await client(port, 'ada');
    for (let i = 1; i <= 50; i++)
      ada.send({ type: 'say', room: '#general', text: `${i}:`.padEnd(2000, 'é'), ref: String(i) });
    await ada.next('ack', (a) => a.ref === '50', 10_000);
    const bob = await client(port);
    bob.send({ type: 'hello', version: 1, name: 'bob' });
    const replay = await bob.next('history');
    expect(replay.messages.length).toBeLessThan(50);
    expect(replay.messages.at(-1)!.seq).toBe(50);
    expect(replay.more).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(replay)) + 1).toBeLessThanOrEqual(65_536);
    expect((await readAll(bob)).map((m) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('gives the messages around one, for a message opened in context, and says what lies beyond', async () => {
    const { port } = await serve();
    const ada = await client(port, 'ada');
    await sayMany(ada, 30, 'm');
    const around = async (seq: number, limit: number) => {
      ada.send({ type: 'history', room: '#general', around: seq, limit });
      const page = await ada.next('history');
      return { seqs: page.messages.map((m) => m.seq), more: page.more, newer: page.newer };
    };
    // Half from it back, the rest after it.
    expect(await around(10, 6)).toEqual({ seqs: [8, 9, 10, 11, 12, 13], more: true, newer: true });
    expect(await around(2, 10)).toEqual({
      seqs: [1, 2, 3, 4, 5, 6, 7],
      more: false,
      newer: true,
    });
    expect(await around(29, 10)).toEqual({
      seqs: [25, 26, 27, 28, 29, 30],
      more: true,
      newer: undefined,
    });
    ada.send({ type: 'history', room: '#general', around: 5, before: 9, ref: 'x' });
    expect((await ada.next('error')).code).toBe('invalid_field');
    ada.send({ type: 'history', room: '#elsewhere', around: 5 });
    expect((await ada.next('error')).code).toBe('not_in_room');
  });

  it('cuts a page around a message to fit the frame limit from its far ends, keeping the message', async () => {
    const { port } = await serve();
    const ada = await client(port, 'ada');
    const long = 'y'.repeat(4_000);
    for (let i = 1; i <= 60; i++)
      ada.send({ type: 'say', room: '#general', text: `${i} ${long}`, ref: `l${i}` });
    await ada.next('ack', (a) => a.ref === 'l60', 10_000);
    ada.send({ type: 'history', room: '#general', around: 30, limit: 200 });
    const page = await ada.next('history');
    const seqs = page.messages.map((m) => m.seq!);
    expect(seqs).toContain(30);
    expect(seqs.length).toBeLessThan(60);
    // About as many on each side, and both ends say more lies beyond.
    expect(
      Math.abs(seqs.filter((s) => s < 30).length - seqs.filter((s) => s > 30).length),
    ).toBeLessThanOrEqual(1);
    expect(page.more).toBe(true);
    expect(page.newer).toBe(true);
    expect(JSON.stringify(page).length).toBeLessThan(65_536);
  });

  it('resumes with exactly what was missed, in pages, in every room named', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const ada = await client(port, 'ada');
    ada.send({ type: 'join', room: '#side' });
    await ada.next('history', (h) => h.room === '#side');
    await sayMany(ada, 3, 'g');
    await sayMany(ada, 2, 's', '#side');
    ada.end();
    await ada.closed;
    const bob = await client(port, 'bob');
    bob.send({ type: 'join', room: '#side' });
    await bob.next('history', (h) => h.room === '#side');
    await sayMany(bob, 450, 'missed');
    await sayMany(bob, 1, 'side', '#side');
    const back = await client(port);
    back.send({ type: 'hello', version: 1, name: 'ada', resume: { '#general': 3, '#side': 2 } });
    expect(await back.next('welcome')).toMatchObject({ rooms: ['#general', '#side'] });
    const general: MessageFrame[] = [];
    for (;;) {
      const page = await back.next('history', (h) => h.room === '#general');
      general.push(...page.messages);
      if (!page.more) break;
    }
    expect(general.map((m) => m.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 4));
    const side = await back.next('history', (h) => h.room === '#side');
    expect(side).toMatchObject({ more: false, messages: [{ seq: 3, text: 'side1' }] });
    // Live again, with no duplicate of what was replayed.
    bob.send({ type: 'say', room: '#general', text: 'live' });
    expect(await back.next('message')).toMatchObject({ seq: 454, text: 'live' });
  });

  it('loses nothing said while a member is joining (messages stored meanwhile arrive once)', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const ada = await client(port, 'ada');
    for (let i = 1; i <= 200; i++) ada.send({ type: 'say', room: '#general', text: `t${i}` });
    const bob = await client(port);
    bob.send({ type: 'hello', version: 1, name: 'bob' });
    // Once bob is in, ada's next message is the marker: it comes after all of hers.
    await bob.next('joined', (j) => j.name === 'bob');
    ada.send({ type: 'say', room: '#general', text: 't201' });
    // It comes live, or in the join's page when that was read after it was stored.
    const seqs = () =>
      bob.inbox.all.flatMap((f) =>
        f.type === 'history' ? f.messages.map((m) => m.seq!) : f.type === 'message' ? [f.seq!] : [],
      );
    await waitFor(() => seqs().includes(201), 'the marker');
    const got = seqs();
    expect(got.at(-1)).toBe(201);
    // Contiguous and without repeats from the first one bob got.
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => got[0]! + i));
  });

  it('sends the empty last page of a resume that missed nothing, so the client knows it is whole', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const ada = await client(port, 'ada');
    await sayMany(ada, 3, 'm');
    ada.end();
    await ada.closed;
    const back = await client(port);
    back.send({ type: 'hello', version: 1, name: 'ada', resume: { '#general': 3 } });
    await back.next('welcome');
    expect(await back.next('history', (h) => h.room === '#general')).toEqual({
      type: 'history',
      room: '#general',
      messages: [],
      more: false,
    });
  });

  it('counts a room in resume that the user was never in as a join, with its history after the seq given', async () => {
    const { port } = await serve({ rateLimit: 0 });
    const bob = await client(port, 'bob');
    bob.send({ type: 'join', room: '#side' });
    await bob.next('history', (h) => h.room === '#side');
    await sayMany(bob, 3, 's', '#side');
    const ada = await client(port);
    ada.send({ type: 'hello', version: 1, name: 'ada', resume: { '#side': 1 } });
    expect(await ada.next('welcome')).toMatchObject({ rooms: ['#general', '#side'] });
    expect(await ada.next('history', (h) => h.room === '#side')).toMatchObject({
      more: false,
      messages: [
        { seq: 2, text: 's2' },
        { seq: 3, text: 's3' },
      ],
    });
    // The room heard ada join, as for any join (waiting for it is the check).
    await bob.next('joined', (j) => j.room === '#side' && j.name === 'ada');
  });

  it('survives a restart: acked messages are there, numbering goes on', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const first = await startServer({ store: 'sqlite', dataDir: dir.path, rateLimit: 0 });
    const ada = await JsonClient.connect(first.port);
    await ada.register('ada');
    await sayMany(ada, 25, 'before');
    await first.server.close();
    const { port } = await serve({ store: 'sqlite', dataDir: dir.path, rateLimit: 0 });
    const bob = await client(port, 'bob');
    await sayMany(bob, 1, 'after');
    const all = await readAll(bob);
    expect(all.map((m) => m.text)).toEqual([
      ...Array.from({ length: 25 }, (_, i) => `before${i + 1}`),
      'after1',
    ]);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
  });

  it('keeps every acked message through a kill -9 of the server process', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const start = async (): Promise<{ child: ChildProcess; port: number }> => {
      const { child, ports } = await spawnServer([
        '--port',
        '0',
        '--data-dir',
        dir.path,
        '--rate-limit',
        '0',
      ]);
      cleanups.push(() => void child.kill('SIGKILL'));
      return { child, port: ports[0]! };
    };
    const { child, port } = await start();
    const ada = await JsonClient.connect(port);
    await ada.register('ada');
    const acked = new Map<string, number>();
    let sent = 0;
    // Keep sending until well after the kill; only acks count.
    const sending = setInterval(() => {
      for (let i = 0; i < 50; i++)
        ada.send({ type: 'say', room: '#general', text: `k${++sent}`, ref: String(sent) });
    }, 2);
    ada.socket.on('data', () => {
      for (const frame of ada.inbox.drain())
        if (frame.type === 'ack') acked.set(frame.id, frame.seq!);
    });
    // Killed mid-stream: once 200 are acked, or after 10 s with what came by
    // then (a busy machine acks fewer; the check below needs over 100).
    await waitFor(() => acked.size >= 200, '200 acks', 10_000).catch(() => undefined);
    child.kill('SIGKILL');
    await ada.closed;
    clearInterval(sending);
    for (const frame of ada.inbox.drain())
      if (frame.type === 'ack') acked.set(frame.id, frame.seq!);
    expect(acked.size).toBeGreaterThan(100);
    const again = await start();
    const bob = await JsonClient.connect(again.port);
    cleanups.push(() => bob.end());
    await bob.register('bob');
    const stored = new Map((await readAll(bob)).map((m) => [m.id, m.seq!]));
    for (const [id, seq] of acked) expect(stored.get(id), `acked ${id}`).toBe(seq);
    const seqs = [...stored.values()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });
});
