import { describe, expect, it } from 'vitest';
import type { RawFrame, RoomFrame } from '../src/index.js';
import {
  ChatModel,
  INPUT_COMMANDS,
  bansText,
  helpText,
  modText,
  modlogText,
  parseDuration,
  parseInput,
  removedText,
  roomText,
  roomsText,
  validateClientFrame,
  validateServerFrame,
} from '../src/index.js';

const here = { room: '#den' };
const noOne = () => false;

describe('moderation commands', () => {
  it('act on the room in view, or the one named first', () => {
    expect(parseInput('/topic all about dens', here)).toEqual({
      kind: 'send',
      frame: { type: 'topic', room: '#den', text: 'all about dens' },
    });
    expect(parseInput('/topic -', here)).toMatchObject({ frame: { text: '' } });
    expect(parseInput('/op #other bob', here)).toEqual({
      kind: 'send',
      frame: { type: 'role', room: '#other', name: 'bob', role: 'moderator' },
    });
    expect(parseInput('/deop bob', here)).toMatchObject({ frame: { role: 'member' } });
    expect(parseInput('/voice bob', here)).toMatchObject({ frame: { role: 'voice' } });
    expect(parseInput('/owner bob', here)).toMatchObject({ frame: { role: 'owner' } });
    expect(parseInput('/claim', here)).toEqual({
      kind: 'send',
      frame: { type: 'claim', room: '#den' },
    });
    expect(parseInput('/kick bob too loud', here)).toEqual({
      kind: 'send',
      frame: { type: 'kick', room: '#den', name: 'bob', reason: 'too loud' },
    });
    expect(parseInput('/invite bob #club', here)).toEqual({
      kind: 'send',
      frame: { type: 'invite', room: '#club', name: 'bob' },
    });
    expect(parseInput('/list rust', here)).toEqual({
      kind: 'send',
      frame: { type: 'list', filter: 'rust' },
    });
    expect(parseInput('/modlog server', here)).toEqual({ kind: 'send', frame: { type: 'modlog' } });
    // In a direct conversation, the room must be named.
    expect(parseInput('/kick bob', { peer: 'bob', room: '#general' })).toMatchObject({
      kind: 'error',
    });
  });

  it('read a ban or mute’s length, and the reason after it', () => {
    expect(parseInput('/ban bob 2h spamming links', here)).toEqual({
      kind: 'send',
      frame: { type: 'ban', room: '#den', name: 'bob', duration: 7200, reason: 'spamming links' },
    });
    expect(parseInput('/ban bob spamming', here)).toEqual({
      kind: 'send',
      frame: { type: 'ban', room: '#den', name: 'bob', reason: 'spamming' },
    });
    expect(parseInput('/mute bob 10m', here)).toEqual({
      kind: 'send',
      frame: { type: 'mute', room: '#den', name: 'bob', duration: 600 },
    });
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('1w')).toBe(604_800);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('999999999w')).toBeUndefined();
  });

  it('set modes by letter or word', () => {
    expect(parseInput('/mode +is-m', here)).toEqual({
      kind: 'send',
      frame: { type: 'mode', room: '#den', invite_only: true, secret: true, moderated: false },
    });
    expect(parseInput('/mode +invite -topic', here)).toEqual({
      kind: 'send',
      frame: { type: 'mode', room: '#den', invite_only: true, topic_locked: false },
    });
    expect(parseInput('/mode +x', here)).toMatchObject({ kind: 'error' });
    expect(parseInput('/mode', here)).toMatchObject({ kind: 'error' });
  });

  it('ban from the server by name or address', () => {
    expect(parseInput('/serverban 10.0.0.7 1d flood', here)).toEqual({
      kind: 'send',
      frame: { type: 'ban', address: '10.0.0.7', duration: 86_400, reason: 'flood' },
    });
    expect(parseInput('/serverban bob', here)).toEqual({
      kind: 'send',
      frame: { type: 'ban', name: 'bob' },
    });
    expect(parseInput('/serverunban 2001:db8::1', here)).toEqual({
      kind: 'send',
      frame: { type: 'unban', address: '2001:db8::1' },
    });
  });

  it('are in the help, by group, and every frame they make is valid', () => {
    const help = helpText();
    expect(help).toContain('Rooms you own or moderate');
    expect(help).toContain('Server operators:');
    for (const command of INPUT_COMMANDS) expect(help).toContain(command.usage);
    const lines = [
      '/topic hi',
      '/mode +i',
      '/op bob',
      '/claim',
      '/kick bob',
      '/ban bob 1h x',
      '/unban bob',
      '/bans',
      '/mute bob',
      '/unmute bob',
      '/invite bob',
      '/uninvite bob',
      '/list',
      '/close',
      '/reopen #den',
      '/serverban bob',
      '/serverunban 10.0.0.1',
      '/serverbans',
      '/users',
      '/modlog',
    ];
    for (const line of lines) {
      const action = parseInput(line, here);
      if (action.kind !== 'send') throw new Error(`${line}: ${JSON.stringify(action)}`);
      expect(validateClientFrame(action.frame as unknown as RawFrame).ok, line).toBe(true);
    }
  });
});

describe('room frames', () => {
  it('are checked field by field: a bad one is refused with its code', () => {
    const refused = (raw: RawFrame) => {
      const result = validateClientFrame(raw);
      return result.ok ? undefined : result.error.code;
    };
    expect(refused({ type: 'topic', room: '#den', text: 'one\nline' })).toBe('invalid_field');
    expect(refused({ type: 'topic', room: '#den', text: 'x'.repeat(301) })).toBe('invalid_field');
    expect(refused({ type: 'mode', room: '#den' })).toBe('invalid_field');
    expect(refused({ type: 'mode', room: '#den', secret: 'yes' })).toBe('invalid_field');
    expect(refused({ type: 'role', room: '#den', name: 'bob', role: 'god' })).toBe('invalid_field');
    expect(refused({ type: 'kick', room: '#den', name: 'no one' })).toBe('no_such_user');
    expect(refused({ type: 'ban', room: '#den', address: '10.0.0.1' })).toBe('invalid_field');
    expect(refused({ type: 'ban', name: 'bob', address: '10.0.0.1' })).toBe('invalid_field');
    expect(refused({ type: 'ban', room: '#den', name: 'bob', duration: 0 })).toBe('invalid_field');
    expect(refused({ type: 'ban', address: 'evil.example' })).toBe('invalid_field');
    expect(refused({ type: 'modlog', limit: 201 })).toBe('invalid_field');
    expect(refused({ type: 'hello', version: 1, name: 'ada', features: 'rooms' })).toBe(
      'invalid_field',
    );
    expect(refused({ type: 'hello', version: 1, name: 'ada', features: ['rooms', 'later'] })).toBe(
      undefined,
    );
  });

  it('from a server are read with what a client needs, unknown roles and actions skipped', () => {
    expect(
      validateServerFrame({
        type: 'names',
        room: '#den',
        names: ['ada', 'bob'],
        roles: { ada: 'owner', bob: 'king' },
      }),
    ).toEqual({
      ok: true,
      frame: { type: 'names', room: '#den', names: ['ada', 'bob'], roles: { ada: 'owner' } },
    });
    expect(validateServerFrame({ type: 'mod', action: 'smite', by: 'ada', ts: 1 }).ok).toBe(false);
    expect(
      validateServerFrame({
        type: 'left',
        room: '#den',
        name: 'bob',
        ts: 1,
        reason: 'kicked',
        by: 'ada',
        text: 'spam',
        banned: true,
      }),
    ).toMatchObject({ ok: true, frame: { by: 'ada', text: 'spam', banned: true } });
  });
});

describe('room texts', () => {
  it('say what happened, with "you" for the reader', () => {
    const self = (name: string) => name === 'bob';
    expect(
      modText(
        {
          type: 'mod',
          room: '#den',
          action: 'role',
          by: 'ada',
          name: 'bob',
          role: 'moderator',
          ts: 1,
        },
        self,
      ),
    ).toBe('ada made you a moderator of #den');
    expect(
      modText({ type: 'mod', room: '#den', action: 'topic', by: 'bob', text: 'dens', ts: 1 }, self),
    ).toBe('You set the topic of #den: dens');
    expect(
      modText({ type: 'mod', room: '#den', action: 'invite', by: 'ada', name: 'bob', ts: 1 }, self),
    ).toBe('ada invited you to #den: /join #den');
    expect(
      modText(
        {
          type: 'mod',
          room: '#den',
          action: 'mode',
          by: 'ada',
          ts: 1,
          modes: { invite_only: true, secret: false, moderated: true, topic_locked: false },
        },
        noOne,
      ),
    ).toBe('ada made #den invite-only, moderated');
    expect(
      modText({ type: 'mod', action: 'ban', by: 'root', name: 'eve', ts: 1, until: 0 }, noOne),
    ).toBe('root banned eve from the server until 1970-01-01 00:00 UTC');
    expect(
      removedText(
        {
          type: 'left',
          room: '#den',
          name: 'bob',
          ts: 1,
          reason: 'kicked',
          by: 'ada',
          text: 'spam',
          banned: true,
        },
        self,
      ),
    ).toBe('You were banned from #den by ada: spam');
  });

  it('show a room, the list, bans and the log as lines', () => {
    const state: RoomFrame = {
      type: 'room',
      room: '#den',
      owner: 'ada',
      topic: 'dens',
      invite_only: true,
      secret: false,
      moderated: false,
      topic_locked: true,
    };
    expect(roomText(state)).toEqual([
      '#den belongs to ada; invite-only, topic locked',
      'Topic of #den: dens',
    ]);
    expect(
      roomsText({ type: 'rooms', rooms: [{ room: '#den', members: 3, topic: 'dens' }] }),
    ).toEqual(['Rooms (1); /join one:', '  #den (3)  dens']);
    expect(bansText({ type: 'bans', room: '#den', bans: [] })).toEqual([
      'No one is banned from #den.',
    ]);
    expect(
      modlogText('#den', [
        { id: 1, ts: 0, room: '#den', action: 'kick', by: 'ada', name: 'bob', text: 'loud' },
      ]),
    ).toEqual([
      'Moderation log of #den:',
      '  1970-01-01 00:00 UTC  ada removed bob from #den: loud',
    ]);
  });
});

describe('the model of a room', () => {
  function model(): ChatModel {
    const chat = new ChatModel();
    chat.setName('bob');
    chat.ensureRoom('#den');
    chat.ensureRoom('#general');
    chat.applyNames({
      type: 'names',
      room: '#den',
      names: ['ada', 'bob', 'cy'],
      roles: { ada: 'owner' },
    });
    return chat;
  }

  it('keeps roles from names and moderation, and the room’s state', () => {
    const chat = model();
    const den = chat.room('#den')!;
    expect(chat.roleIn(den, 'ADA')).toBe('owner');
    chat.applyMod({
      type: 'mod',
      room: '#den',
      action: 'role',
      by: 'ada',
      name: 'cy',
      role: 'voice',
      ts: 1,
    });
    expect(chat.roleIn(den, 'cy')).toBe('voice');
    expect(den.entries.at(-1)).toMatchObject({ kind: 'system', text: 'ada gave cy voice in #den' });
    chat.applyRoom({
      type: 'room',
      room: '#den',
      owner: 'ada',
      topic: 'dens',
      invite_only: false,
      secret: false,
      moderated: false,
      topic_locked: true,
    });
    expect(den.state?.topic).toBe('dens');
  });

  it('drops a room the reader was removed from, and says so where they are', () => {
    const chat = model();
    chat.setCurrent(chat.room('#den')!.key);
    chat.applyLeft({
      type: 'left',
      room: '#den',
      name: 'bob',
      ts: 5,
      reason: 'kicked',
      by: 'ada',
      text: 'spam',
    });
    expect(chat.room('#den')).toBeUndefined();
    expect(chat.current()?.title).toBe('#general');
    expect(chat.current()?.entries.at(-1)).toMatchObject({
      tone: 'error',
      text: 'You were removed from #den by ada: spam',
    });
  });
});
