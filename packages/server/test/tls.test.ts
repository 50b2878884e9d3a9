import { execFileSync } from 'node:child_process';
import type tls from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfabServer } from '../src/index.js';
import {
  JsonClient,
  PlainClient,
  WsClient,
  connectSocket,
  startServer,
  tempDir,
} from './helpers.js';

const dir = tempDir('confab-tls-');
let server: ConfabServer;
let port: number;

beforeAll(async () => {
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  // A throwaway self-signed certificate for localhost.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  ({ server, port } = await startServer({ tlsCert: cert, tlsKey: key, passwordCost: 10 }));
});

afterAll(async () => {
  await server.close();
  dir.remove();
});

describe('TLS on the same port', () => {
  it('serves the JSON stream over TLS, and plain TCP beside it', async () => {
    const secure = await JsonClient.connect(port, { tls: true });
    expect((secure.socket as tls.TLSSocket).encrypted).toBe(true);
    await secure.register('ada');
    const clear = await JsonClient.connect(port);
    await clear.register('bob');
    clear.send({ type: 'say', room: '#general', text: 'across' });
    expect(await secure.next('message')).toMatchObject({ from: 'bob', text: 'across' });
    secure.end();
    clear.end();
  });

  it('serves wss:// and plain text inside TLS', async () => {
    const web = await WsClient.connect(port, { tls: true });
    await web.register('wes');
    const terminal = await PlainClient.connect(port, { tls: true });
    terminal.type('pat');
    await terminal.line('Welcome pat');
    web.send({ type: 'say', room: '#general', text: 'to the encrypted terminal' });
    await terminal.line('<wes> to the encrypted terminal');
    terminal.socket.end();
    web.end();
  });

  it('keeps answering /healthz over https', async () => {
    const socket = await connectSocket(port, { tls: true });
    let body = '';
    socket.on('data', (d) => (body += d));
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ended;
    expect(body).toMatch(/^HTTP\/1.1 200/);
    expect(body).toContain('"status":"ok"');
  });

  it('logs in to an account over TLS, wss:// and plain text inside TLS', async () => {
    const secure = await JsonClient.connect(port, { tls: true });
    secure.send({
      type: 'hello',
      version: 1,
      name: 'tess',
      password: 'correct horse',
      register: true,
    });
    const made = await secure.next('welcome');
    expect(made).toMatchObject({ account: 'tess', token: expect.any(String) });
    await secure.quit();

    const web = await WsClient.connect(port, { tls: true });
    web.send({ type: 'hello', version: 1, name: 'tess', token: made.token });
    expect(await web.next('welcome')).toMatchObject({ account: 'tess' });
    await web.quit();

    const nc = await PlainClient.connect(port, { tls: true });
    nc.type('tess');
    await nc.line('Type the password of tess');
    nc.type('correct horse');
    await nc.line('Welcome tess');
    await nc.quit();
  });

  it('runs a room over TLS: an owner on wss:// kicks someone on the JSON stream, plain text reads it', async () => {
    const owner = await WsClient.connect(port, { tls: true });
    owner.send({
      type: 'hello',
      version: 1,
      name: 'olga',
      password: 'correct horse',
      register: true,
      features: ['rooms'],
    });
    await owner.next('welcome');
    owner.send({ type: 'join', room: '#vault' });
    expect(await owner.next('room', (f) => f.room === '#vault')).toMatchObject({ owner: 'olga' });
    const guest = await JsonClient.connect(port, { tls: true });
    await guest.register('gil', { features: ['rooms'] });
    guest.send({ type: 'join', room: '#vault' });
    await guest.next('history', (f) => f.room === '#vault');
    const nc = await PlainClient.connect(port, { tls: true });
    nc.type('nell');
    await nc.line('Welcome nell');
    nc.type('/join #vault');
    await nc.line('belongs to olga');
    owner.send({ type: 'kick', room: '#vault', name: 'gil', reason: 'encrypted goodbye' });
    expect(await guest.next('left', (f) => f.room === '#vault')).toMatchObject({
      reason: 'kicked',
      by: 'olga',
      text: 'encrypted goodbye',
    });
    expect(await nc.line('removed')).toBe(
      '* gil was removed from #vault by olga: encrypted goodbye',
    );
    await nc.quit();
    guest.end();
    owner.end();
  });

  it('carries replies, reactions, edits, deletes and typing over TLS and wss://, in rooms and direct messages', async () => {
    const features = ['typing', 'reactions', 'edits'];
    const ada = await JsonClient.connect(port, { tls: true });
    await ada.register('tada', { features, guest: 'tada-own-secret-key-0123456789' });
    const bob = await WsClient.connect(port, { tls: true });
    await bob.register('tbob', { features, guest: 'tbob-own-secret-key-0123456789' });
    const nc = await PlainClient.connect(port, { tls: true });
    nc.type('tnell');
    await nc.line('Welcome tnell');
    // In the room: a reply, a reaction, an edit and a delete, as each client follows them.
    ada.send({ type: 'say', room: '#general', text: 'encrypted hello', ref: 's' });
    const said = (await ada.next('ack', (a) => a.ref === 's')).id;
    bob.send({ type: 'typing', room: '#general' });
    expect(await ada.next('typing')).toMatchObject({ room: '#general', name: 'tbob' });
    bob.send({ type: 'say', room: '#general', text: 'hello back', reply_to: said });
    expect(await ada.next('message', (m) => m.text === 'hello back')).toMatchObject({
      reply: { id: said, from: 'tada', text: 'encrypted hello' },
    });
    bob.send({ type: 'react', room: '#general', id: said, emoji: '🔒' });
    expect(await ada.next('reaction')).toMatchObject({ id: said, emoji: '🔒', count: 1 });
    ada.send({ type: 'edit', room: '#general', id: said, text: 'encrypted hi' });
    expect(await bob.next('edited')).toMatchObject({ id: said, text: 'encrypted hi' });
    await nc.line('* tada edited a message: encrypted hi');
    ada.send({ type: 'delete', room: '#general', id: said });
    expect(await bob.next('deleted')).toMatchObject({ id: said, deleted_by: 'tada' });
    await nc.line('* tada deleted a message.');
    // And in a direct conversation.
    ada.send({ type: 'dm', to: 'tbob', text: 'just us', ref: 'd' });
    const direct = (await ada.next('ack', (a) => a.ref === 'd')).id;
    bob.send({ type: 'react', dm: true, id: direct, emoji: '🤫' });
    expect(await ada.next('reaction', (r) => r.id === direct)).toMatchObject({
      emoji: '🤫',
      dseq: expect.any(Number),
    });
    ada.send({ type: 'delete', dm: true, id: direct });
    expect(await bob.next('deleted', (d) => d.id === direct)).toMatchObject({ deleted_by: 'tada' });
    await nc.quit();
    bob.end();
    ada.end();
  });

  it('searches and moves read markers over TLS and wss://; plain text inside TLS searches', async () => {
    const features = ['read'];
    const ada = await JsonClient.connect(port, { tls: true });
    await ada.register('sada', { features, password: 'correct horse', register: true });
    // The same account on a second device, over wss://.
    const phone = await WsClient.connect(port, { tls: true });
    await phone.register('sada', { features, password: 'correct horse' });
    const bob = await WsClient.connect(port, { tls: true });
    await bob.register('sbob');
    bob.send({ type: 'say', room: '#general', text: 'the sealed envelope', ref: 's' });
    const { seq } = await bob.next('ack', (a) => a.ref === 's');
    bob.send({ type: 'dm', to: 'sada', text: 'a sealed note for you' });
    for (const client of [ada, phone]) {
      client.send({ type: 'search', query: 'sealed', ref: 'q' });
      const results = await client.next('search_results', (r) => r.ref === 'q');
      expect(results.hits.map((hit) => hit.snippet.find((part) => part.hit)?.text)).toEqual([
        'sealed',
        'sealed',
      ]);
      expect(results.hits.map((hit) => hit.room ?? hit.to)).toEqual(['sada', '#general']);
    }
    ada.send({ type: 'read', room: '#general', seq: seq! });
    expect(await phone.next('read')).toMatchObject({ room: '#general', seq });
    const nc = await PlainClient.connect(port, { tls: true });
    nc.type('snell');
    await nc.line('Welcome snell');
    nc.type('/search envelope');
    await nc.line('<sbob> the sealed [envelope]');
    await nc.quit();
    for (const client of [ada, phone, bob]) client.end();
  });
});
