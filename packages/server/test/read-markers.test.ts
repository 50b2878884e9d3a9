import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import { JsonClient, say, startServer, tempDir, testScope } from './helpers.js';

const scope = testScope();
const { cleanups, serve } = scope;

type Markers = Extract<ServerFrame, { type: 'read_markers' }>;

/** A device of the account `name` that follows read markers; resolves with the markers it was told. */
async function device(
  port: number,
  name: string,
  credentials: Record<string, unknown>,
): Promise<{ client: JsonClient; markers: Markers }> {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  client.send({ type: 'hello', version: 1, name, ...credentials, features: ['read'] });
  await client.next('welcome');
  const markers = await client.next('read_markers');
  await client.next('dm_history', (h) => !h.more);
  client.inbox.drain();
  return { client, markers };
}

const MADE = { password: 'correct horse', register: true };
const LOGIN = { password: 'correct horse' };

describe('read markers', () => {
  it('move forward from any device, reach the others at once, and are told at login', async () => {
    const port = await serve();
    const laptop = (await device(port, 'ada', MADE)).client;
    const phone = (await device(port, 'ada', LOGIN)).client;
    const bob = await scope.person(port, 'bob', { guest: 'bob-own-secret-key-0123456789' });
    await say(bob, 'one');
    const two = await say(bob, 'two');
    laptop.send({ type: 'read', room: '#general', seq: two.seq });
    expect(await phone.next('read')).toEqual({ type: 'read', room: '#general', seq: two.seq });
    // Back is no news: nothing is told. (The ping after it comes first if nothing was.)
    laptop.send({ type: 'read', room: '#general', seq: 1 });
    phone.send({ type: 'ping', ref: 'p' });
    laptop.send({ type: 'ping', ref: 'l' });
    await laptop.next('pong');
    const quiet = await phone.before('pong', () => true);
    expect(quiet.filter((f) => f.type === 'read')).toEqual([]);
    // A direct conversation: its marker is the account's dseq there.
    bob.send({ type: 'dm', to: 'ada', text: 'just us', ref: 'd' });
    const dm = await phone.next('message', (m) => m.to === 'ada');
    phone.send({ type: 'read', with: 'Bob', dseq: dm.dseq });
    // Told to every device of the account, the one that moved it too.
    expect(await laptop.next('read', (r) => r.with !== undefined)).toEqual({
      type: 'read',
      with: 'Bob',
      dseq: dm.dseq,
    });
    // A device that comes later is told both before its replays.
    const tablet = await device(port, 'ada', LOGIN);
    expect(tablet.markers).toEqual({
      type: 'read_markers',
      rooms: { '#general': two.seq },
      with: { bob: dm.dseq },
    });
  });

  it('are refused for a room one is not in, and kept for no one without an identity', async () => {
    const port = await serve();
    const ada = (await device(port, 'ada', MADE)).client;
    ada.send({ type: 'read', room: '#elsewhere', seq: 1, ref: 'r' });
    expect(await ada.next('error')).toMatchObject({ code: 'not_in_room' });
    ada.send({ type: 'read', seq: 1 });
    expect(await ada.next('error')).toMatchObject({ code: 'invalid_field' });
    // A guest with no key: nothing is kept, and it is told nothing.
    const nobody = await scope.person(port, 'nobody', { features: ['read'] });
    nobody.send({ type: 'read', room: '#general', seq: 1 });
    nobody.send({ type: 'ping', ref: 'p' });
    const before = await nobody.before('pong', () => true);
    expect(before.filter((f) => f.type === 'read' || f.type === 'error')).toEqual([]);
  });

  it('survive a restart with the SQLite history', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const first = await startServer({ store: 'sqlite', dataDir: data.path });
    const ada = (await device(first.port, 'ada', MADE)).client;
    const said = await say(ada, 'kept');
    ada.send({ type: 'read', room: '#general', seq: said.seq });
    ada.send({ type: 'ping', ref: 'p' });
    await ada.next('pong');
    ada.end();
    await first.server.close();
    const again = await startServer({ store: 'sqlite', dataDir: data.path });
    cleanups.push(() => again.server.close());
    const back = await device(again.port, 'ada', LOGIN);
    expect(back.markers.rooms).toEqual({ '#general': said.seq });
  });
});
