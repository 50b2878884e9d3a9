import { writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import type { ConnectOptions, FrameClient } from './helpers.js';
import {
  ROOMS,
  JsonClient,
  PlainClient,
  WsClient,
  joinRoom as join,
  tempDir,
  testScope,
} from './helpers.js';

/** A quick hash (the server's floor): these tests are about rooms, not password cost. */
const FAST = { passwordCost: 10 };
const PASSWORD = 'correct horse';

const { cleanups, serve } = testScope({ ...FAST, operators: 'root' });

async function connect(port: number, options: ConnectOptions = {}): Promise<JsonClient> {
  const client = await JsonClient.connect(port, options);
  cleanups.push(() => client.end());
  return client;
}

/** A new account `name`, logged in, following rooms' state. */
async function account(
  port: number,
  name: string,
  options: ConnectOptions = {},
): Promise<JsonClient> {
  const client = await connect(port, options);
  await client.register(name, { password: PASSWORD, register: true, ...ROOMS });
  return client;
}

/** Another connection of the account `name` (another device). */
async function login(port: number, name: string): Promise<JsonClient> {
  const client = await connect(port);
  await client.register(name, { password: PASSWORD, ...ROOMS });
  return client;
}

/** A guest following rooms' state; `guest`: its key. */
async function guest(
  port: number,
  name: string,
  extra: Record<string, unknown> = {},
  options: ConnectOptions = {},
): Promise<JsonClient> {
  const client = await connect(port, options);
  await client.register(name, { ...ROOMS, ...extra });
  return client;
}

/** Sends a frame and returns the error it is refused with. */
async function refused(client: FrameClient, frame: Record<string, unknown>): Promise<ServerFrame> {
  client.send({ ...frame, ref: 'r' });
  return client.next('error', (e) => e.ref === 'r');
}

describe('rooms that belong to someone', () => {
  it('are their maker’s when logged in: the state comes after joined, roles in names', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    const state = await join(ada, '#den');
    expect(state).toMatchObject({
      owner: 'ada',
      topic_locked: true,
      invite_only: false,
      secret: false,
    });
    const bob = await guest(port, 'bob');
    bob.send({ type: 'join', room: '#den' });
    await bob.next('joined', (f) => f.name === 'bob');
    expect(await bob.next('room')).toMatchObject({ room: '#den', owner: 'ada' });
    expect(await bob.next('names', (f) => f.room === '#den')).toMatchObject({
      names: expect.arrayContaining(['ada', 'bob']),
      roles: { ada: 'owner' },
    });
    // A client of protocol 1.0 asks for none of it, and gets none.
    const old = await connect(port);
    await old.register('old');
    old.send({ type: 'join', room: '#den' });
    await old.next('history', (f) => f.room === '#den');
    // A ping after the join is answered after all the join brought.
    expect((await old.beforePong()).some((f) => f.type === 'room' || f.type === 'mod')).toBe(false);
  });

  it('made by a guest have no owner until an account claims one; a second claim is refused', async () => {
    const port = await serve();
    const gus = await guest(port, 'gus');
    expect(await join(gus, '#old')).not.toHaveProperty('owner');
    const ada = await account(port, 'ada');
    await join(ada, '#old');
    ada.send({ type: 'claim', room: '#old' });
    expect(await gus.next('mod')).toMatchObject({ action: 'claim', by: 'ada', room: '#old' });
    expect(await gus.next('room')).toMatchObject({ owner: 'ada' });
    const bea = await account(port, 'bea');
    await join(bea, '#old');
    expect(await refused(bea, { type: 'claim', room: '#old' })).toMatchObject({
      code: 'not_allowed',
      message: '#old belongs to ada',
    });
    expect(await refused(gus, { type: 'claim', room: '#old' })).toMatchObject({
      code: 'not_allowed',
    });
    // The server's default room is its operators'.
    expect(await refused(ada, { type: 'claim', room: '#general' })).toMatchObject({
      code: 'not_allowed',
    });
  });

  it('keep a topic: set by the owner, told to members, given to joiners, shown in the list', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const gus = await guest(port, 'gus');
    await join(gus, '#den');
    ada.send({ type: 'topic', room: '#den', text: 'all about dens' });
    expect(await gus.next('mod')).toMatchObject({
      action: 'topic',
      by: 'ada',
      text: 'all about dens',
    });
    expect(await gus.next('room')).toMatchObject({ topic: 'all about dens', topic_by: 'ada' });
    // Locked: a member may not; unlocked: anyone in the room may.
    expect(await refused(gus, { type: 'topic', room: '#den', text: 'mine' })).toMatchObject({
      code: 'not_allowed',
    });
    ada.send({ type: 'mode', room: '#den', topic_locked: false });
    await gus.next('mod', (f) => f.action === 'mode');
    gus.send({ type: 'topic', room: '#den', text: 'anyone’s' });
    await ada.next('mod', (f) => f.action === 'topic' && f.by === 'gus');
    const later = await guest(port, 'later');
    expect(await join(later, '#den')).toMatchObject({ topic: 'anyone’s' });
    later.send({ type: 'list' });
    expect((await later.next('rooms')).rooms).toContainEqual({
      room: '#den',
      members: 3,
      topic: 'anyone’s',
    });
  });

  it('have moderators and voice made by the owner, shown in names, and can be handed on', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const bob = await account(port, 'bob');
    await join(bob, '#den');
    ada.send({ type: 'role', room: '#den', name: 'bob', role: 'moderator' });
    expect(await bob.next('mod')).toMatchObject({ action: 'role', name: 'bob', role: 'moderator' });
    bob.send({ type: 'who', room: '#den' });
    expect(await bob.next('names')).toMatchObject({ roles: { ada: 'owner', bob: 'moderator' } });
    ada.send({ type: 'role', room: '#den', name: 'bob', role: 'owner' });
    expect(await ada.next('room', (f) => f.owner === 'bob')).toBeDefined();
    ada.send({ type: 'who', room: '#den' });
    expect(await ada.next('names')).toMatchObject({ roles: { ada: 'moderator', bob: 'owner' } });
    // The old owner, a moderator now, cannot take the new owner's room back.
    expect(
      await refused(ada, { type: 'role', room: '#den', name: 'ada', role: 'owner' }),
    ).toMatchObject({
      code: 'not_allowed',
    });
  });
});

describe('moderation', () => {
  it('kicks every device of a person, with who and why, and the account forgets the room', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const bob = await account(port, 'bob');
    await join(bob, '#den');
    const bobsPage = await WsClient.connect(port);
    cleanups.push(() => bobsPage.end());
    await bobsPage.register('bob', { password: PASSWORD, ...ROOMS });
    ada.send({ type: 'kick', room: '#den', name: 'bob', reason: 'calm down' });
    const expected = { room: '#den', name: 'bob', reason: 'kicked', by: 'ada', text: 'calm down' };
    expect(await bob.next('left', (f) => f.room === '#den')).toMatchObject(expected);
    expect(await bobsPage.next('left', (f) => f.room === '#den')).toMatchObject(expected);
    expect(await ada.next('left', (f) => f.name === 'bob')).toMatchObject(expected);
    bob.send({ type: 'say', room: '#den', text: 'still here?', ref: 's' });
    expect(await bob.next('error', (e) => e.ref === 's')).toMatchObject({ code: 'not_in_room' });
    // Coming back, the account is not put back in the room.
    const again = await connect(port);
    again.send({ type: 'hello', version: 1, name: 'bob', password: PASSWORD, ...ROOMS });
    expect((await again.next('welcome')).rooms).not.toContain('#den');
  });

  it('bans an account: it cannot join, read or resume into the room until unbanned', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    ada.send({ type: 'say', room: '#den', text: 'before the ban' });
    await ada.next('message');
    const bob = await account(port, 'bob');
    await join(bob, '#den');
    ada.send({ type: 'ban', room: '#den', name: 'bob', reason: 'spam' });
    expect(await bob.next('left', (f) => f.room === '#den')).toMatchObject({
      reason: 'kicked',
      banned: true,
      by: 'ada',
      text: 'spam',
    });
    expect(await refused(bob, { type: 'join', room: '#den' })).toMatchObject({
      code: 'banned',
      message: 'you are banned from #den',
    });
    expect(await refused(bob, { type: 'history', room: '#den' })).toMatchObject({
      code: 'not_in_room',
    });
    ada.send({ type: 'say', room: '#den', text: 'after the ban' });
    await ada.next('message', (m) => m.text === 'after the ban');
    // A resume into the room is refused after welcome, and gives nothing of it.
    const resumed = await connect(port);
    resumed.send({
      type: 'hello',
      version: 1,
      name: 'bob',
      password: PASSWORD,
      resume: { '#den': 0 },
    });
    await resumed.next('welcome');
    expect(await resumed.next('error')).toMatchObject({ code: 'banned' });
    await resumed.next('dm_history');
    const seen = await resumed.beforePong();
    expect(JSON.stringify(seen)).not.toContain('after the ban');
    ada.send({ type: 'bans', room: '#den' });
    expect((await ada.next('bans')).bans).toEqual([
      expect.objectContaining({ name: 'bob', account: true, by: 'ada', reason: 'spam' }),
    ]);
    ada.send({ type: 'unban', room: '#den', name: 'bob' });
    await ada.next('mod', (f) => f.action === 'unban');
    await join(bob, '#den');
  });

  it('bans a guest by key and by address: another name or another key from there stays out', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const key = 'k'.repeat(30);
    const troll = await guest(port, 'troll', { guest: key }, { localAddress: '127.0.0.2' });
    await join(troll, '#den');
    ada.send({ type: 'ban', room: '#den', name: 'troll' });
    await troll.next('left', (f) => f.room === '#den');
    troll.end();
    // The same key under another name.
    const renamed = await guest(port, 'troll2', { guest: key }, { localAddress: '127.0.0.3' });
    expect(await refused(renamed, { type: 'join', room: '#den' })).toMatchObject({
      code: 'banned',
    });
    // Another key from the same address.
    const other = await guest(
      port,
      'troll3',
      { guest: 'z'.repeat(30) },
      { localAddress: '127.0.0.2' },
    );
    expect(await refused(other, { type: 'join', room: '#den' })).toMatchObject({ code: 'banned' });
    // Someone else, elsewhere, gets in.
    const fine = await guest(port, 'fine', {}, { localAddress: '127.0.0.4' });
    await join(fine, '#den');
    // Lifted by the name it was made against, though no one holds that name now.
    ada.send({ type: 'unban', room: '#den', name: 'troll' });
    await ada.next('mod', (f) => f.action === 'unban');
    await join(other, '#den');
  });

  it('mutes: the person stays in but cannot speak until unmuted, and the room hears it', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const gus = await guest(port, 'gus');
    await join(gus, '#den');
    ada.send({ type: 'mute', room: '#den', name: 'gus', duration: 600 });
    expect(await gus.next('mod')).toMatchObject({ action: 'mute', name: 'gus', by: 'ada' });
    expect(await refused(gus, { type: 'say', room: '#den', text: 'hello?' })).toMatchObject({
      code: 'muted',
    });
    ada.send({ type: 'unmute', room: '#den', name: 'gus' });
    await gus.next('mod', (f) => f.action === 'unmute');
    gus.send({ type: 'say', room: '#den', text: 'thanks', ref: 'ok' });
    await gus.next('ack', (a) => a.ref === 'ok');
  });

  it('lets only owner, moderators and voice speak in a moderated room', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#stage');
    const bob = await account(port, 'bob');
    await join(bob, '#stage');
    ada.send({ type: 'mode', room: '#stage', moderated: true });
    await bob.next('room', (f) => f.moderated);
    expect(await refused(bob, { type: 'say', room: '#stage', text: 'me?' })).toMatchObject({
      code: 'muted',
    });
    ada.send({ type: 'role', room: '#stage', name: 'bob', role: 'voice' });
    await bob.next('mod', (f) => f.action === 'role');
    bob.send({ type: 'say', room: '#stage', text: 'now me', ref: 'v' });
    await bob.next('ack', (a) => a.ref === 'v');
  });
});

describe('private rooms', () => {
  it('let in only the invited; an account’s invitation waits for it, and is used by joining', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#club');
    ada.send({ type: 'mode', room: '#club', invite_only: true });
    await ada.next('room', (f) => f.invite_only);
    const bob = await account(port, 'bob');
    expect(await refused(bob, { type: 'join', room: '#club' })).toMatchObject({
      code: 'invite_only',
    });
    bob.end();
    // Invited while away: the invitation waits.
    ada.send({ type: 'invite', room: '#club', name: 'bob' });
    await ada.next('mod', (f) => f.action === 'invite');
    const back = await login(port, 'bob');
    await join(back, '#club');
    // A room the account is in lets it back in on every login, without a new invitation.
    const phone = await connect(port);
    phone.send({ type: 'hello', version: 1, name: 'bob', password: PASSWORD, ...ROOMS });
    expect((await phone.next('welcome')).rooms).toContain('#club');
    await phone.next('history', (f) => f.room === '#club');
    // Leaving for good uses it up: once out on every device, the account is not let back in.
    back.send({ type: 'part', room: '#club' });
    await back.next('left', (f) => f.name === 'bob');
    await phone.next('left', (f) => f.name === 'bob');
    expect(await refused(back, { type: 'join', room: '#club' })).toMatchObject({
      code: 'invite_only',
    });
  });

  it('tells the invited: a line with the room to join', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#club');
    const gus = await guest(port, 'gus');
    ada.send({ type: 'invite', room: '#club', name: 'gus' });
    expect(await gus.next('mod')).toMatchObject({
      action: 'invite',
      room: '#club',
      by: 'ada',
      name: 'gus',
    });
  });

  it('keep a secret room out of the list, and tell non-members nothing of it', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#hidden');
    ada.send({ type: 'mode', room: '#hidden', secret: true });
    await ada.next('room', (f) => f.secret);
    ada.send({ type: 'say', room: '#hidden', text: 'the plan' });
    await ada.next('message');
    const eve = await guest(port, 'eve');
    eve.send({ type: 'list' });
    expect((await eve.next('rooms')).rooms.map((r) => r.room)).not.toContain('#hidden');
    eve.send({ type: 'list', filter: 'hidden' });
    expect((await eve.next('rooms')).rooms).toEqual([]);
    // The same answers as for a room that does not exist.
    for (const type of ['who', 'history', 'bans', 'modlog'] as const) {
      const real = await refused(eve, { type, room: '#hidden' });
      const none = await refused(eve, { type, room: '#nothere' });
      expect({ ...real, ref: undefined }).toEqual({
        ...none,
        ref: undefined,
        message: (none as { message: string }).message.replace('#nothere', '#hidden'),
      });
    }
    expect(JSON.stringify(await eve.beforePong())).not.toContain('the plan');
  });
});

describe('the room list', () => {
  it('lists rooms with people and owned rooms, the fullest first, filtered, in frames that fit', async () => {
    // Frames of 16 KiB, so that the list takes several; no rate, so that the rooms are made at once.
    const port = await serve({ maxFrameBytes: 16_384, maxTextBytes: 2_000, rateLimit: 0 });
    const ada = await account(port, 'ada');
    const topic = 'x'.repeat(280);
    for (let i = 0; i < 220; i++) {
      ada.send({ type: 'join', room: `#room${i}` });
      ada.send({ type: 'topic', room: `#room${i}`, text: `${i} ${topic}` });
      // A few at a time: frames past the session's queue would be refused.
      if (i % 10 === 9) await ada.next('mod', (f) => f.room === `#room${i}`);
    }
    const gus = await guest(port, 'gus');
    await join(gus, '#room7');
    gus.send({ type: 'list' });
    const pages: Array<Extract<ServerFrame, { type: 'rooms' }>> = [];
    do pages.push(await gus.next('rooms'));
    while (pages.at(-1)!.more);
    expect(pages.length).toBeGreaterThan(1);
    const rooms = pages.flatMap((p) => p.rooms);
    expect(rooms).toHaveLength(200);
    expect(rooms[0]).toMatchObject({ room: '#general', members: 2 });
    expect(rooms[1]).toMatchObject({ room: '#room7', members: 2 });
    gus.send({ type: 'list', filter: 'ROOM21' });
    expect((await gus.next('rooms')).rooms.map((r) => r.room).sort()).toEqual(
      ['#room21', ...Array.from({ length: 10 }, (_, i) => `#room21${i}`)].sort(),
    );
  });
});

describe('server operators', () => {
  it('act in any room, close and reopen rooms, and read every log', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    const root = await account(port, 'root');
    root.send({ type: 'topic', room: '#den', text: 'set by an operator' });
    expect(await root.next('mod')).toMatchObject({ action: 'topic', by: 'root', room: '#den' });
    root.send({ type: 'close', room: '#den', reason: 'abandoned' });
    expect(await ada.next('left', (f) => f.room === '#den')).toMatchObject({
      reason: 'kicked',
      by: 'root',
      text: 'abandoned',
    });
    expect(await refused(ada, { type: 'join', room: '#den' })).toMatchObject({
      code: 'room_closed',
    });
    root.send({ type: 'modlog', room: '#den' });
    const log = await root.next('modlog');
    expect(log.entries.map((e) => e.action)).toEqual(['topic', 'close']);
    expect(await refused(ada, { type: 'modlog' })).toMatchObject({ code: 'not_allowed' });
    root.send({ type: 'reopen', room: '#den' });
    await root.next('mod', (f) => f.action === 'reopen');
    await join(ada, '#den');
  });

  it('ban an account from the server: its sessions end, and it cannot log in', async () => {
    const port = await serve();
    const bob = await account(port, 'bob');
    const root = await account(port, 'root');
    root.send({ type: 'ban', name: 'bob', reason: 'abuse' });
    expect(await bob.next('quit')).toMatchObject({ reason: 'banned' });
    await bob.closed;
    const again = await connect(port);
    again.send({ type: 'hello', version: 1, name: 'bob', password: PASSWORD });
    expect(await again.next('error')).toMatchObject({ code: 'banned' });
    await again.closed;
    root.send({ type: 'bans' });
    expect((await root.next('bans')).bans).toEqual([
      expect.objectContaining({ name: 'bob', account: true, reason: 'abuse' }),
    ]);
    root.send({ type: 'unban', name: 'bob' });
    await root.next('mod', (f) => f.action === 'unban');
    await login(port, 'bob');
  });

  it('ban an address: its connections end and new ones are refused; /users shows addresses', async () => {
    const port = await serve();
    const root = await account(port, 'root');
    await guest(port, 'far', {}, { localAddress: '127.0.0.5' });
    root.send({ type: 'users' });
    expect((await root.next('users')).users).toContainEqual({
      name: 'far',
      account: false,
      address: '127.0.0.5',
    });
    const far = await connect(port, { localAddress: '127.0.0.5' });
    far.send({ type: 'hello', version: 1, name: 'far2' });
    await far.next('welcome');
    root.send({ type: 'ban', address: '127.0.0.5' });
    expect(await far.next('quit')).toMatchObject({ reason: 'banned' });
    const plain = await PlainClient.connect(port, { localAddress: '127.0.0.5' });
    cleanups.push(() => void plain.socket.destroy());
    expect(await plain.line(/banned from the server/)).toContain('This address is banned');
    await plain.closed;
    const ws = await WsClient.connect(port);
    cleanups.push(() => ws.end());
    const bob = await guest(port, 'near');
    expect(bob).toBeDefined();
  });
});

describe('operators named in a file', () => {
  it('are operators beside those of --operators, comments and blank lines skipped', async () => {
    const dir = tempDir('confab-operators-');
    cleanups.push(() => dir.remove());
    const file = joinPath(dir.path, 'operators');
    writeFileSync(file, '# who keeps order here\nmods # the moderators account\n\n  Sam  \n');
    const port = await serve({ operators: 'root', operatorsFile: file });
    for (const name of ['mods', 'sam', 'root']) {
      const operator = await account(port, name);
      operator.send({ type: 'users' });
      expect((await operator.next('users')).users.map((u) => u.name)).toContain(name);
    }
    const plain = await account(port, 'plain');
    expect(await refused(plain, { type: 'users' })).toMatchObject({ code: 'not_allowed' });
  });
});

describe('rooms in plain text', () => {
  it('reads state, moderation and the list as lines', async () => {
    const port = await serve();
    const ada = await account(port, 'ada');
    await join(ada, '#den');
    ada.send({ type: 'topic', room: '#den', text: 'dens \u202e and more' });
    await ada.next('mod');
    const nc = await PlainClient.connect(port);
    cleanups.push(() => void nc.socket.destroy());
    nc.type('gus');
    await nc.line('Welcome gus');
    nc.type('/join #den');
    expect(await nc.line('belongs to the server')).toBe(
      "* #general belongs to the server's operators; open",
    );
    expect(await nc.line('belongs to ada')).toBe('* #den belongs to ada; topic locked');
    expect(await nc.line('Topic of')).toBe('* Topic of #den: dens \\u202e and more');
    expect(await nc.line('* In #den')).toContain('@ada');
    ada.send({ type: 'kick', room: '#den', name: 'gus', reason: 'test' });
    expect(await nc.line('removed')).toBe('* You were removed from #den by ada: test');
    nc.type('/list');
    expect(await nc.line('Rooms (')).toBe('* Rooms (2); /join one:');
    // Out of the room, its topic is not theirs to set.
    nc.type('/topic #den hijack');
    expect(await nc.line('!')).toBe('! You are not in #den.');
  });
});
