import { describe, expect, it } from 'vitest';
import { JsonClient, sameNode, startServer, testScope } from './helpers.js';

const { cleanups } = testScope();

/** A guest's key, as Confab's clients make and keep one. */
const KEY = 'guest-key-of-gus-0123456789abcdefghijklmno';

async function connect(port: number): Promise<JsonClient> {
  const c = await JsonClient.connect(port);
  cleanups.push(() => c.end());
  return c;
}

describe('a guest coming back with their key', () => {
  it('takes their name back at once from a link that died unnoticed, keeping their rooms, with no leave or join heard', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    // On one node: a takeover from another node does not carry the rooms yet.
    sameNode(port);
    const watcher = await connect(port);
    await watcher.register('watcher');
    const old = await connect(port);
    old.send({ type: 'hello', version: 1, name: 'gus', guest: KEY });
    await old.next('welcome');
    old.send({ type: 'join', room: '#rust' });
    await old.next('history', (h) => h.room === '#rust');
    watcher.inbox.drain();
    // The old link goes silent: no close, no answer to anything.
    old.socket.pause();
    const back = await connect(port);
    back.send({ type: 'hello', version: 1, name: 'gus', guest: KEY });
    const welcome = await back.next('welcome');
    expect(welcome.rooms.sort()).toEqual(['#general', '#rust']);
    // Registered once its mailbox is replayed (the last of it).
    await back.next('dm_history');
    // The old connection is ended by the server, saying why.
    old.socket.resume();
    expect(await old.next('quit')).toEqual({ type: 'quit', reason: 'session_replaced' });
    await old.closed;
    // The room heard nothing of it, and talks to the new connection.
    watcher.send({ type: 'say', room: '#general', text: 'still there, gus?', ref: 'q' });
    await watcher.next('ack', (a) => a.ref === 'q');
    expect(watcher.inbox.drain().filter((f) => f.type === 'left' || f.type === 'joined')).toEqual(
      [],
    );
    expect(await back.next('message', (m) => m.text === 'still there, gus?')).toBeDefined();
    watcher.send({ type: 'dm', to: 'gus', text: 'psst', ref: 'd' });
    expect(await back.next('message', (m) => m.text === 'psst')).toBeDefined();
  });

  it('without the key is still someone else: the name stays taken', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const gus = await connect(port);
    gus.send({ type: 'hello', version: 1, name: 'gus', guest: KEY });
    await gus.next('welcome');
    const impostor = await connect(port);
    impostor.send({ type: 'hello', version: 1, name: 'gus' });
    expect(await impostor.next('error')).toMatchObject({ code: 'name_taken' });
    const otherKey = await connect(port);
    otherKey.send({ type: 'hello', version: 1, name: 'gus', guest: `${KEY}-other` });
    expect(await otherKey.next('error')).toMatchObject({ code: 'name_taken' });
  });
});
