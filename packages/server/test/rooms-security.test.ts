import { describe, expect, it } from 'vitest';
import { ROOMS, JsonClient, joinRoom as join, testScope } from './helpers.js';

const PASSWORD = 'correct horse';

const { cleanups, serve } = testScope({ passwordCost: 10, operators: 'root' });

async function connect(port: number, localAddress = '127.0.0.1'): Promise<JsonClient> {
  const client = await JsonClient.connect(port, { localAddress });
  cleanups.push(() => client.end());
  return client;
}

async function account(port: number, name: string): Promise<JsonClient> {
  const client = await connect(port);
  await client.register(name, { password: PASSWORD, register: true, ...ROOMS });
  return client;
}

async function guest(port: number, name: string, localAddress: string): Promise<JsonClient> {
  const client = await connect(port, localAddress);
  await client.register(name, ROOMS);
  return client;
}

/** Every privileged request on #den (and the server), as a member would send it. */
const PRIVILEGED: Array<Record<string, unknown>> = [
  { type: 'topic', room: '#den', text: 'defaced' },
  { type: 'mode', room: '#den', secret: true },
  { type: 'mode', room: '#den', invite_only: true },
  { type: 'role', room: '#den', name: 'mallory', role: 'moderator' },
  { type: 'role', room: '#den', name: 'mallory', role: 'owner' },
  { type: 'role', room: '#den', name: 'mo', role: 'member' },
  { type: 'role', room: '#den', name: 'mallory', role: 'voice' },
  { type: 'claim', room: '#den' },
  { type: 'kick', room: '#den', name: 'witness' },
  { type: 'ban', room: '#den', name: 'witness' },
  { type: 'unban', room: '#den', name: 'banned1' },
  { type: 'bans', room: '#den' },
  { type: 'mute', room: '#den', name: 'witness' },
  { type: 'unmute', room: '#den', name: 'muted1' },
  { type: 'invite', room: '#den', name: 'mallory' },
  { type: 'uninvite', room: '#den', name: 'invited1' },
  { type: 'close', room: '#den' },
  { type: 'reopen', room: '#den' },
  { type: 'modlog', room: '#den' },
  { type: 'ban', name: 'witness' },
  { type: 'ban', address: '127.0.0.9' },
  { type: 'unban', address: '127.0.0.8' },
  { type: 'bans' },
  { type: 'users' },
  { type: 'modlog' },
];

describe('privileged actions', () => {
  it('are refused to a member, a guest, another room’s moderator, the banned and the muted: nothing changes, nothing is relayed', async () => {
    const port = await serve();
    const olga = await account(port, 'olga');
    const before = await join(olga, '#den');
    // A moderator, and one of each list, so that every request has something to act on.
    const mo = await account(port, 'mo');
    await join(mo, '#den');
    olga.send({ type: 'role', room: '#den', name: 'mo', role: 'moderator' });
    const witness = await guest(port, 'witness', '127.0.0.2');
    await join(witness, '#den');
    const muted = await account(port, 'muted1');
    await join(muted, '#den');
    olga.send({ type: 'mute', room: '#den', name: 'muted1' });
    const banned = await account(port, 'banned1');
    await join(banned, '#den');
    olga.send({ type: 'ban', room: '#den', name: 'banned1' });
    await banned.next('left', (f) => f.room === '#den');
    (await account(port, 'invited1')).end();
    olga.send({ type: 'invite', room: '#den', name: 'invited1' });
    const elsewhere = await account(port, 'elsewhere');
    await join(elsewhere, '#other');
    const root = await account(port, 'root');
    root.send({ type: 'ban', address: '127.0.0.8' });
    await root.next('mod', (f) => f.action === 'ban');
    await olga.next('mod', (f) => f.action === 'invite');
    const mallory = await account(port, 'mallory');
    await join(mallory, '#den');
    const gus = await guest(port, 'gus', '127.0.0.3');
    await join(gus, '#den');
    olga.send({ type: 'modlog', room: '#den' });
    const logBefore = (await olga.next('modlog')).entries;
    olga.send({ type: 'bans', room: '#den' });
    const bansBefore = (await olga.next('bans')).bans;
    // What the witness heard of all that is read; from here on it must hear nothing.
    await witness.beforePong();

    const attackers: Array<[string, JsonClient]> = [
      ['a member', mallory],
      ['a guest', gus],
      ['another room’s moderator', elsewhere],
      ['a banned person', banned],
      ['a muted person', muted],
    ];
    for (const [who, attacker] of attackers) {
      for (const [n, frame] of PRIVILEGED.entries()) {
        const ref = `${n}`;
        attacker.send({ ...frame, ref });
        const answer = await attacker.next('error', (e) => e.ref === ref);
        expect(
          ['not_allowed', 'not_in_room'],
          `${who}: ${JSON.stringify(frame)} → ${answer.type === 'error' ? answer.message : ''}`,
        ).toContain(answer.type === 'error' ? answer.code : '');
      }
    }

    // Nothing changed: the room's state, its log and its bans are as they were.
    expect(await join(olga, '#den')).toEqual({ ...before, owner: 'olga' });
    olga.send({ type: 'modlog', room: '#den' });
    expect((await olga.next('modlog')).entries).toEqual(logBefore);
    olga.send({ type: 'bans', room: '#den' });
    expect((await olga.next('bans')).bans).toEqual(bansBefore);
    // Nothing was relayed: the room heard no event, and everyone is still in it.
    // The owner's own change, made after every attempt, is the marker: a change
    // let through would have reached the witness first.
    olga.send({ type: 'topic', room: '#den', text: 'marker' });
    const heard = await witness.before('room', (f) => f.topic === 'marker');
    expect(heard.filter((f) => ['mod', 'room', 'left'].includes(f.type))).toEqual([]);
    witness.send({ type: 'who', room: '#den' });
    expect((await witness.next('names')).names.sort()).toEqual(
      ['gus', 'mallory', 'mo', 'muted1', 'olga', 'witness'].sort(),
    );
    // The muted one is still muted, and the owner still owns the room.
    muted.send({ type: 'say', room: '#den', text: 'free?', ref: 'm' });
    expect(await muted.next('error', (e) => e.ref === 'm')).toMatchObject({ code: 'muted' });
  });

  it('end with a session whose token was revoked: it is closed, and its token logs in no more', async () => {
    const port = await serve();
    const olga = await account(port, 'olga');
    await join(olga, '#den');
    const phone = await connect(port);
    phone.send({ type: 'hello', version: 1, name: 'olga', password: PASSWORD, ...ROOMS });
    const { token } = await phone.next('welcome');
    olga.send({ type: 'sessions' });
    const sessions = (await olga.next('sessions')).sessions;
    const phoneSession = sessions.find((s) => !s.current)!;
    olga.send({ type: 'revoke', id: phoneSession.id });
    expect(await phone.next('quit')).toMatchObject({ reason: 'session_revoked' });
    await phone.closed;
    const stolen = await connect(port);
    stolen.send({ type: 'hello', version: 1, name: 'olga', token, ...ROOMS });
    expect(await stolen.next('error')).toMatchObject({ code: 'auth_failed' });
    stolen.send({ type: 'kick', room: '#den', name: 'olga', ref: 'k' });
    expect(await stolen.next('error', (e) => e.ref === 'k')).toMatchObject({
      code: 'not_registered',
    });
  });
});

describe('a secret room', () => {
  it('leaks nothing to a non-member: not in the list, the same answers as no room, no resume into it', async () => {
    const port = await serve();
    const olga = await account(port, 'olga');
    // Only in the secret room, so that her name may be looked for in whatever a stranger is sent.
    olga.send({ type: 'part', room: '#general' });
    await olga.next('left');
    await join(olga, '#hidden');
    olga.send({ type: 'mode', room: '#hidden', secret: true, invite_only: true });
    await olga.next('room', (f) => f.secret && f.invite_only);
    olga.send({ type: 'topic', room: '#hidden', text: 'the plan' });
    olga.send({ type: 'say', room: '#hidden', text: 'the secret itself' });
    await olga.next('message');
    const eve = await guest(port, 'eve', '127.0.0.4');
    eve.send({ type: 'list', filter: 'hid' });
    expect((await eve.next('rooms')).rooms).toEqual([]);
    for (const frame of [
      { type: 'who' },
      { type: 'history' },
      { type: 'bans' },
      { type: 'modlog' },
      { type: 'topic', text: 'mine' },
      { type: 'claim' },
      { type: 'kick', name: 'olga' },
      { type: 'mode', secret: false },
    ]) {
      eve.send({ ...frame, room: '#hidden', ref: 'a' });
      const real = await eve.next('error', (e) => e.ref === 'a');
      eve.send({ ...frame, room: '#nothere', ref: 'b' });
      const none = await eve.next('error', (e) => e.ref === 'b');
      expect(real.code, JSON.stringify(frame)).toBe(none.code);
      expect(real.message, JSON.stringify(frame)).toBe(none.message.replace('#nothere', '#hidden'));
    }
    const resumed = await connect(port, '127.0.0.4');
    resumed.send({ type: 'hello', version: 1, name: 'eve2', resume: { '#hidden': 0 }, ...ROOMS });
    await resumed.next('welcome');
    expect(await resumed.next('error')).toMatchObject({ code: 'invite_only' });
    // Everything both were answered: a ping after their requests is answered last.
    const all = JSON.stringify([...(await eve.beforePong()), ...(await resumed.beforePong())]);
    expect(all).not.toContain('the plan');
    expect(all).not.toContain('the secret itself');
    expect(all).not.toContain('olga');
  });
});
