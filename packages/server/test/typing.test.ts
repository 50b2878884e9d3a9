import type { ServerFrame } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import { PlainClient, WsClient, joinRoom, testScope } from './helpers.js';

const TYPING = { features: ['rooms', 'typing'] };

const scope = testScope({ passwordCost: 10 });
const { cleanups, serve } = scope;

/** Someone in #general who asked to hear who is typing; `extra`: their hello instead. */
function person(port: number, name: string, extra: Record<string, unknown> = TYPING) {
  return scope.person(port, name, extra);
}

const typings = (frames: ServerFrame[]) => frames.filter((f) => f.type === 'typing');

/** Says `text` in #general and waits for its ack. */
async function say(client: FrameClient, text: string, room = '#general'): Promise<void> {
  client.send({ type: 'say', room, text, ref: text });
  await client.next('ack', (a) => a.ref === text);
}

describe('typing', () => {
  it('tells the room’s other members who asked that someone is typing; not the writer, not a version 1 client', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const cy = await person(port, 'cy', {});
    const bob = await person(port, 'bob');
    bob.send({ type: 'typing', room: '#general' });
    expect(await ada.next('typing')).toEqual({ type: 'typing', name: 'bob', room: '#general' });
    // The message after it is the marker: had the typing gone to cy or back to bob, it would have come first.
    await say(bob, 'written');
    for (const client of [cy, bob])
      expect(typings(await client.before('message', (m) => m.text === 'written'))).toEqual([]);
    // Over WebSocket too, and stopping is news as well.
    const web = await WsClient.connect(port);
    cleanups.push(() => web.end());
    await web.register('wes', TYPING);
    ada.send({ type: 'typing', room: '#general' });
    expect(await web.next('typing')).toEqual({ type: 'typing', name: 'ada', room: '#general' });
    ada.send({ type: 'typing', room: '#general', stopped: true });
    expect(await web.next('typing')).toEqual({
      type: 'typing',
      name: 'ada',
      room: '#general',
      stopped: true,
    });
  });

  it('passes on one typing per conversation every few seconds, however many come; a message lets the next through', async () => {
    // No rate limit: the frames all come at once, and only the typing throttle holds them.
    const port = await serve({ rateLimit: 0 });
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const started = Date.now();
    for (let i = 0; i < 200; i++) bob.send({ type: 'typing', room: '#general' });
    await say(bob, 'after the flood');
    const passed = typings(await ada.before('message', (m) => m.text === 'after the flood'));
    // One, and one more for each relay interval the flood took (none on a quick machine).
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(passed.length).toBeLessThanOrEqual(
      1 + Math.floor((Date.now() - started) / LIMITS.typingRelayMs),
    );
    // Writing again after sending is news at once.
    bob.send({ type: 'typing', room: '#general' });
    await ada.next('typing', (t) => t.name === 'bob');
  });

  it('tells a person written to, on each of their devices that asked; no one else', async () => {
    const port = await serve();
    const desk = await person(port, 'dee', {
      ...TYPING,
      password: 'correct horse',
      register: true,
    });
    const phone = await person(port, 'dee', { ...TYPING, password: 'correct horse' });
    const ed = await person(port, 'ed');
    const bob = await person(port, 'bob');
    bob.send({ type: 'typing', to: 'dee' });
    for (const device of [desk, phone])
      expect(await device.next('typing')).toEqual({ type: 'typing', name: 'bob' });
    bob.send({ type: 'dm', to: 'dee', text: 'the message', ref: 'd' });
    await desk.next('message', (m) => m.text === 'the message');
    await say(bob, 'in the room');
    expect(typings(await ed.before('message', (m) => m.text === 'in the room'))).toEqual([]);
  });

  it('refuses a room one is not in and a name no one has, as a message would be', async () => {
    const port = await serve();
    const bob = await person(port, 'bob');
    bob.send({ type: 'typing', room: '#elsewhere' });
    expect(await bob.next('error')).toMatchObject({ code: 'not_in_room' });
    bob.send({ type: 'typing', to: 'nobody' });
    expect(await bob.next('error')).toMatchObject({ code: 'no_such_user' });
    bob.send({ type: 'typing', room: '#general', to: 'ada' });
    expect(await bob.next('error')).toMatchObject({ code: 'invalid_field' });
  });

  it('does not show someone who may not speak in a room as writing there', async () => {
    const port = await serve();
    const ada = await person(port, 'ada', { ...TYPING, password: 'correct horse', register: true });
    await joinRoom(ada, '#stage');
    const bob = await person(port, 'bob');
    await joinRoom(bob, '#stage');
    ada.send({ type: 'mode', room: '#stage', moderated: true });
    await bob.next('room', (r) => r.moderated === true);
    bob.send({ type: 'typing', room: '#stage' });
    // The marker, from the same connection after it: a typing in #general.
    bob.send({ type: 'typing', room: '#general' });
    const before = await ada.before('typing', (t) => t.room === '#general');
    expect(typings(before)).toEqual([]);
  });

  it('sends plain text none of it', async () => {
    const port = await serve();
    const pat = await PlainClient.named(port, 'pat');
    const bob = await person(port, 'bob');
    bob.send({ type: 'typing', room: '#general' });
    await say(bob, 'plain marker');
    await pat.line('<bob> plain marker');
    expect(pat.text()).not.toMatch(/typing/i);
  });
});
