import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import { JsonClient, PlainClient, WsClient, pause, testScope } from './helpers.js';

/** A quick hash for tests (the server's floor): these tests are about behaviour, not cost. */
const FAST = { passwordCost: 10 };

const { cleanups, serve } = testScope({ ...FAST });

async function json(port: number): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  return client;
}

/** Sends `hello` (with whatever else) and resolves with the answer: `welcome` or `error`. */
async function hello(
  client: FrameClient,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Extract<ServerFrame, { type: 'welcome' | 'error' }>> {
  client.send({ type: 'hello', version: 1, name, ...extra });
  const answer = await client.inbox.take(
    (f) => f.type === 'welcome' || f.type === 'error',
    'welcome or error',
  );
  return answer as Extract<ServerFrame, { type: 'welcome' | 'error' }>;
}

/** A connection logged in to `name`; resolves once its rooms and mailbox are replayed. */
async function loggedIn(
  port: number,
  name: string,
  credentials: Record<string, unknown>,
): Promise<{ client: JsonClient; welcome: Extract<ServerFrame, { type: 'welcome' }> }> {
  const client = await json(port);
  const welcome = await hello(client, name, credentials);
  if (welcome.type !== 'welcome') throw new Error(JSON.stringify(welcome));
  await client.next('dm_history');
  client.inbox.drain();
  return { client, welcome };
}

describe('accounts', () => {
  it('makes a guest’s name theirs with register: then only its password logs in to it', async () => {
    const port = await serve();
    const ada = await json(port);
    expect(await hello(ada, 'ada')).toMatchObject({ type: 'welcome' });
    ada.send({ type: 'register', password: 'correct horse' });
    const account = await ada.next('account');
    expect(account).toMatchObject({ name: 'ada', token: expect.stringMatching(/^[\w-]{43}$/) });
    await ada.quit();
    const guest = await json(port);
    expect(await hello(guest, 'ADA')).toMatchObject({
      code: 'name_taken',
      account: true,
    });
    expect(await hello(guest, 'ada', { password: 'wrong horse' })).toMatchObject({
      code: 'auth_failed',
      message: 'the name or the password is wrong',
    });
    expect(await hello(guest, 'nobody', { password: 'wrong horse' })).toMatchObject({
      code: 'auth_failed',
      message: 'the name or the password is wrong',
    });
    const welcome = await hello(guest, 'Ada', { password: 'correct horse' });
    expect(welcome).toMatchObject({ type: 'welcome', name: 'ada', account: 'ada' });
    expect((welcome as { token?: string }).token).toMatch(/^[\w-]{43}$/);
  });

  it('logs in with a token from before; a token logged out, or of another account, does not', async () => {
    const port = await serve();
    const first = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    const token = first.welcome.token!;
    await first.client.quit();
    const again = await loggedIn(port, 'ada', { token });
    expect(again.welcome).toMatchObject({ account: 'ada' });
    expect(again.welcome.token).toBeUndefined();
    await loggedIn(port, 'bob', { password: 'battery staple', register: true });
    const thief = await json(port);
    expect(await hello(thief, 'bob', { token })).toMatchObject({ code: 'auth_failed' });
    again.client.send({ type: 'logout' });
    expect(await again.client.next('quit')).toEqual({ type: 'quit', reason: 'logged_out' });
    await again.client.closed;
    expect(await hello(thief, 'ada', { token })).toMatchObject({ code: 'auth_failed' });
  });

  it('keeps the login of a connection that goes right after its welcome: the token it was given works', async () => {
    const port = await serve();
    await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    for (let i = 0; i < 5; i++) {
      const brief = await json(port);
      const welcome = await hello(brief, 'ada', { password: 'correct horse' });
      // Gone while its rooms are still being replayed.
      brief.socket.destroy();
      const token = (welcome as { token?: string }).token!;
      const next = await json(port);
      expect(await hello(next, 'ada', { token })).toMatchObject({ type: 'welcome' });
      next.end();
    }
  });

  it('is one person on several devices: one join, one name in the list, every message on each', async () => {
    const port = await serve();
    const bob = await json(port);
    await bob.register('bob');
    const laptop = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    const phone = await loggedIn(port, 'ada', { token: laptop.welcome.token! });
    expect(phone.welcome.rooms).toEqual(['#general']);
    // bob saw ada join once, and sees her once.
    await pause(200);
    expect(bob.inbox.drain().filter((f) => f.type === 'joined' && f.name === 'ada')).toHaveLength(
      1,
    );
    bob.send({ type: 'who', room: '#general' });
    expect((await bob.next('names')).names.sort()).toEqual(['ada', 'bob']);
    // What ada says from one device reaches the other; only the sender gets the ack.
    laptop.client.send({ type: 'say', room: '#general', text: 'from the laptop', ref: 'l1' });
    const onPhone = await phone.client.next('message');
    expect(onPhone).toMatchObject({ from: 'ada', text: 'from the laptop' });
    await laptop.client.next('ack');
    // A direct message to ada reaches both, with the same dseq; the sender's own copy too.
    bob.send({ type: 'dm', to: 'ada', text: 'to both', ref: 'd1' });
    const a = await laptop.client.next('message', (m) => m.to === 'ada');
    const b = await phone.client.next('message', (m) => m.to === 'ada');
    expect(a).toEqual(b);
    phone.client.send({ type: 'dm', to: 'bob', text: 'from the phone', ref: 'p1' });
    expect(await laptop.client.next('message', (m) => m.text === 'from the phone')).toMatchObject({
      to: 'bob',
    });
    // A join from one device is made on all.
    laptop.client.send({ type: 'join', room: '#rust' });
    expect(await phone.client.next('joined', (j) => j.room === '#rust')).toMatchObject({
      name: 'ada',
    });
    await phone.client.next('history', (h) => h.room === '#rust');
    // One device leaving is nothing to the room; the last one is.
    await laptop.client.quit();
    await pause(200);
    expect(bob.inbox.drain().filter((f) => f.type === 'left')).toEqual([]);
    await phone.client.quit();
    expect(await bob.next('left', (l) => l.name === 'ada')).toMatchObject({ reason: 'quit' });
  });

  it('remembers the account’s rooms and joins them at the next login', async () => {
    const port = await serve();
    const first = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    first.client.send({ type: 'join', room: '#rust' });
    await first.client.next('history', (h) => h.room === '#rust');
    first.client.send({ type: 'part', room: '#general' });
    await first.client.next('left', (l) => l.room === '#general');
    await first.client.quit();
    const later = await loggedIn(port, 'ada', { password: 'correct horse' });
    expect(later.welcome.rooms).toEqual(['#rust']);
  });

  it('keeps a direct message to an account that is away, and gives it at the next login', async () => {
    const port = await serve();
    const ada = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    await ada.client.quit();
    const bob = await json(port);
    await bob.register('bob');
    bob.send({ type: 'dm', to: 'ada', text: 'while you were away', ref: 'w1' });
    expect(await bob.next('ack')).toMatchObject({ ref: 'w1' });
    const back = await json(port);
    await hello(back, 'ada', { password: 'correct horse' });
    const replay = await back.next('dm_history');
    expect(replay.messages.map((m) => [m.from, m.text])).toEqual([['bob', 'while you were away']]);
  });

  it('tells a device that comes after a guest took another name where the conversation went', async () => {
    const port = await serve();
    const amy = await loggedIn(port, 'amy', { password: 'correct horse', register: true });
    const bob = await json(port);
    await bob.register('bob');
    bob.send({ type: 'dm', to: 'amy', text: 'hello from bob', ref: 'b1' });
    expect(await bob.next('ack')).toMatchObject({ ref: 'b1' });
    amy.client.send({ type: 'dm', to: 'bob', text: 'hello bob', ref: 'a1' });
    expect(await amy.client.next('ack')).toMatchObject({ ref: 'a1' });
    // bob takes another name, then another: a device that was connected heard each.
    for (const name of ['bobby', 'rob']) {
      bob.send({ type: 'nick', name });
      expect(await amy.client.next('nick')).toMatchObject({ name });
    }
    // A device that comes now replays the conversation under the old name, then
    // hears where it went, as the first device did.
    const later = await json(port);
    await hello(later, 'amy', { password: 'correct horse' });
    const replay = await later.next('dm_history');
    expect(replay.messages.map((m) => [m.from, m.to])).toEqual([
      ['bob', 'amy'],
      ['amy', 'bob'],
    ]);
    expect(await later.next('nick')).toEqual({ type: 'nick', old: 'bob', name: 'rob' });
  });

  it('keeps a guest’s direct messages when the guest registers, numbered as they were', async () => {
    const port = await serve();
    const bob = await json(port);
    await bob.register('bob');
    const ada = await json(port);
    await hello(ada, 'ada', { guest: 'ada-own-secret-key-0123456789' });
    await ada.next('dm_history');
    const said = async (text: string, dseq: number) => {
      bob.send({ type: 'dm', to: 'ada', text, ref: text });
      expect(await ada.next('message', (m) => m.text === text)).toMatchObject({ dseq });
    };
    await said('before you registered', 1);
    ada.send({ type: 'register', password: 'correct horse' });
    const { token } = await ada.next('account');
    await said('after you registered', 2);
    await ada.quit();
    bob.send({ type: 'dm', to: 'ada', text: 'while you were away', ref: 'w' });
    // Acked: kept for ada while she is away (a direct message has an id, no room seq).
    const ack = await bob.next('ack', (a) => a.ref === 'w');
    expect(ack).toMatchObject({ ref: 'w', id: expect.any(String) });
    expect(ack.seq).toBeUndefined();
    // Back where the client left off (dseq 2): what came meanwhile, and only that.
    const back = await json(port);
    await hello(back, 'ada', { token, dseq: 2 });
    expect((await back.next('dm_history')).messages.map((m) => m.text)).toEqual([
      'while you were away',
    ]);
    // A fresh start (a reloaded page): the whole conversation, from before the account.
    const reloaded = await json(port);
    await hello(reloaded, 'ada', { token });
    expect((await reloaded.next('dm_history')).messages.map((m) => [m.dseq, m.text])).toEqual([
      [1, 'before you registered'],
      [2, 'after you registered'],
      [3, 'while you were away'],
    ]);
  });

  it('lists sessions, revokes one (its connection ends), and a new password logs out the rest', async () => {
    const port = await serve();
    const laptop = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    const phone = await loggedIn(port, 'ada', { password: 'correct horse', client: 'phone/1' });
    const tablet = await loggedIn(port, 'ada', { password: 'correct horse', client: 'tablet/1' });
    laptop.client.send({ type: 'sessions' });
    const list = await laptop.client.next('sessions');
    expect(list.sessions).toHaveLength(3);
    expect(list.sessions.filter((s) => s.current)).toHaveLength(1);
    const phoneSession = list.sessions.find((s) => s.client === 'phone/1')!;
    laptop.client.send({ type: 'revoke', id: phoneSession.id });
    expect(await phone.client.next('quit')).toEqual({ type: 'quit', reason: 'session_revoked' });
    expect((await laptop.client.next('sessions')).sessions).toHaveLength(2);
    const thief = await json(port);
    expect(await hello(thief, 'ada', { token: phone.welcome.token! })).toMatchObject({
      code: 'auth_failed',
    });
    laptop.client.send({ type: 'password', current: 'wrong horse', password: 'new horse!' });
    expect(await laptop.client.next('error')).toMatchObject({ code: 'auth_failed' });
    laptop.client.send({ type: 'password', current: 'correct horse', password: 'new horse!' });
    expect(await laptop.client.next('account')).toMatchObject({ name: 'ada' });
    expect(await tablet.client.next('quit')).toEqual({ type: 'quit', reason: 'session_revoked' });
    expect(await hello(thief, 'ada', { password: 'correct horse' })).toMatchObject({
      code: 'auth_failed',
    });
    expect(await hello(thief, 'ada', { token: laptop.welcome.token! })).toMatchObject({
      type: 'welcome',
    });
  });

  it('keeps a logged-in name: nick is refused, and no guest may nick to an account’s name', async () => {
    const port = await serve();
    const ada = await loggedIn(port, 'ada', { password: 'correct horse', register: true });
    ada.client.send({ type: 'nick', name: 'ada2' });
    expect(await ada.client.next('error')).toMatchObject({ code: 'name_taken' });
    await ada.client.quit();
    const bob = await json(port);
    await bob.register('bob');
    bob.send({ type: 'nick', name: 'ADA' });
    expect(await bob.next('error')).toMatchObject({ code: 'name_taken', account: true });
  });

  it('checks passwords: too short to register, and one attempt too many is rate_limited', async () => {
    const port = await serve();
    const c = await json(port);
    expect(await hello(c, 'ada', { password: 'short', register: true })).toMatchObject({
      code: 'invalid_field',
    });
    await hello(c, 'ada');
    c.send({ type: 'register', password: 'short' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_field' });
    c.send({ type: 'register', password: 'correct horse', ref: 'reg' });
    await c.next('account');
    // A name takes 10 attempts in a row (the registration was one); then one
    // is refused before its password is checked.
    const guesser = await json(port);
    for (let attempt = 1; attempt <= 9; attempt++)
      expect(
        await hello(guesser, 'ada', { password: `wrong ${attempt}` }),
        `attempt ${attempt}`,
      ).toMatchObject({
        code: 'auth_failed',
      });
    expect(await hello(guesser, 'ada', { password: 'wrong 10' })).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('too many login attempts'),
    });
    // Even the right password waits its turn now.
    expect(await hello(guesser, 'ada', { password: 'correct horse' })).toMatchObject({
      code: 'rate_limited',
    });
  });

  it('takes no guests with --accounts required, and has no accounts with --accounts off', async () => {
    const required = await serve({ accounts: 'required' });
    const c = await json(required);
    expect(await hello(c, 'ada')).toMatchObject({ code: 'auth_required' });
    expect(await hello(c, 'ada', { password: 'correct horse', register: true })).toMatchObject({
      type: 'welcome',
      account: 'ada',
    });
    const off = await serve({ accounts: 'off' });
    const d = await json(off);
    expect(await hello(d, 'ada', { password: 'correct horse' })).toMatchObject({
      code: 'accounts_off',
    });
    await hello(d, 'ada');
    d.send({ type: 'register', password: 'correct horse' });
    expect(await d.next('error')).toMatchObject({ code: 'accounts_off' });
  });

  it('logs in over WebSocket too, and a page’s token works from a terminal', async () => {
    const port = await serve();
    const web = await WsClient.connect(port);
    cleanups.push(() => web.end());
    const welcome = await hello(web, 'ada', { password: 'correct horse', register: true });
    expect(welcome).toMatchObject({ type: 'welcome', account: 'ada' });
    const tcp = await loggedIn(port, 'ada', { token: (welcome as { token: string }).token });
    expect(tcp.welcome.account).toBe('ada');
  });
});

describe('accounts on plain text', () => {
  it('registers with /register, and logs in at the name prompt with the password', async () => {
    const port = await serve();
    const first = await PlainClient.connect(port);
    cleanups.push(() => void first.socket.destroy());
    first.type('pat');
    await first.line('* In #general');
    first.type('/register correct horse');
    await first.line('* You are logged in as pat');
    await first.quit();
    const nc = await PlainClient.connect(port);
    cleanups.push(() => void nc.socket.destroy());
    nc.type('pat');
    expect(await nc.line(/^!/)).toContain('The name pat belongs to an account');
    await nc.line('Type the password of pat, or press Enter to pick another name');
    nc.type('wrong horse');
    expect(await nc.sentence(/^!/)).toBe('! The name or the password is wrong.');
    await nc.line('Type the password again');
    nc.type('correct horse');
    await nc.line('Welcome pat');
    // A plain-text login lasts as long as its connection: the one that registered
    // ended with it, and only this one is listed.
    nc.type('/sessions');
    await nc.line('(this one)');
    const listed = nc.lines.all.slice(
      nc.lines.all.findIndex((l) => l.startsWith('* Your sessions')) + 1,
    );
    expect(listed).toEqual([
      expect.stringMatching(/^\* {3}[\da-f]{12} {2}plain-text, last used .* \(this one\)$/),
    ]);
  });

  it('on a server that takes no guests, makes the name an account from the prompt', async () => {
    const port = await serve({ accounts: 'required' });
    const nc = await PlainClient.connect(port);
    cleanups.push(() => void nc.socket.destroy());
    nc.type('pat');
    expect(await nc.sentence(/^!/)).toBe(
      '! This server needs an account: log in, or register your name with a password.',
    );
    await nc.line('To chat here, pat must be an account');
    nc.type('short');
    expect(await nc.sentence(/^!/)).toBe('! A password must be at least 8 characters.');
    await nc.line('To chat here, pat must be an account');
    nc.type('correct horse');
    await nc.line('Welcome pat');
  });
});
