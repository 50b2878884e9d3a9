import { describe, expect, it } from 'vitest';
import type { Actor, RoomChange, RoomRecord } from '../src/index.js';
import {
  RoomRules,
  ServerRules,
  applyChange,
  applyServerChange,
  checkJoin,
  checkSay,
  emptyRecord,
  ownedRecord,
} from '../src/index.js';

const NOW = 1_800_000_000_000;

function person(name: string, extra: Partial<Actor> = {}): Actor {
  return { identity: `a:${name}-id`, name, account: true, operator: false, ...extra };
}

const owner = person('olga');
const mod = person('mo');
const voiced = person('vic');
const member = person('meg');
const guest: Actor = {
  identity: 'g:guest-key-hash',
  name: 'gus',
  account: false,
  operator: false,
  address: '10.0.0.7',
};
const operator = person('root', { operator: true });

/** A room of olga's with mo a moderator and vic voiced, then changed by `changes` as olga. */
function room(...changes: Array<(record: RoomRecord) => RoomRecord>): RoomRules {
  let record: RoomRecord = {
    ...ownedRecord('#den', '#den', owner),
    version: 1,
    roles: [
      { identity: mod.identity, name: mod.name, role: 'moderator' },
      { identity: voiced.identity, name: voiced.name, role: 'voice' },
    ],
  };
  for (const change of changes) record = change(record);
  return new RoomRules(record);
}

/** Applies a change that must be allowed, returning the rules after it. */
function allowed(rules: RoomRules, actor: Actor, change: RoomChange): RoomRules {
  const result = applyChange(rules, actor, change, NOW);
  if ('refused' in result) throw new Error(`refused: ${result.refused.message}`);
  return new RoomRules(result.record);
}

/** The code a change is refused with (undefined when allowed). */
function refusal(rules: RoomRules, actor: Actor, change: RoomChange): string | undefined {
  const result = applyChange(rules, actor, change, NOW);
  return 'refused' in result ? result.refused.code : undefined;
}

describe('a room’s roles', () => {
  it('are the owner’s, the moderators’ and the voiced by account; everyone else is a member', () => {
    const rules = room();
    expect(rules.roleOf(owner)).toBe('owner');
    expect(rules.roleOf(mod)).toBe('moderator');
    expect(rules.roleOf(voiced)).toBe('voice');
    expect(rules.roleOf(member)).toBe('member');
    expect(rules.roleByName('mo')).toBe('moderator');
    expect(rules.roleByName('olga')).toBe('owner');
    expect(rules.roleByName('meg')).toBeUndefined();
  });

  it('make the owner the only one who makes and unmakes moderators or hands the room on', () => {
    const rules = room();
    expect(refusal(rules, mod, { kind: 'role', target: member, role: 'moderator' })).toBe(
      'not_allowed',
    );
    expect(refusal(rules, mod, { kind: 'role', target: owner, role: 'member' })).toBe(
      'not_allowed',
    );
    expect(refusal(rules, mod, { kind: 'role', target: member, role: 'owner' })).toBe(
      'not_allowed',
    );
    expect(refusal(rules, member, { kind: 'role', target: member, role: 'voice' })).toBe(
      'not_allowed',
    );
    const promoted = allowed(rules, owner, { kind: 'role', target: member, role: 'moderator' });
    expect(promoted.roleOf(member)).toBe('moderator');
    const demoted = allowed(promoted, owner, { kind: 'role', target: mod, role: 'member' });
    expect(demoted.roleOf(mod)).toBe('member');
    // A moderator gives and takes voice, but cannot take another moderator's role.
    expect(
      allowed(rules, mod, { kind: 'role', target: member, role: 'voice' }).roleOf(member),
    ).toBe('voice');
    expect(refusal(promoted, mod, { kind: 'role', target: member, role: 'voice' })).toBe(
      'not_allowed',
    );
  });

  it('hand a room on: the new owner owns it, the old one stays a moderator', () => {
    const handed = allowed(room(), owner, { kind: 'role', target: member, role: 'owner' });
    expect(handed.roleOf(member)).toBe('owner');
    expect(handed.roleOf(owner)).toBe('moderator');
    expect(handed.record.owner).toEqual({ identity: member.identity, name: 'meg' });
    expect(handed.version).toBe(2);
  });

  it('are for accounts only, and the owner keeps the room until handing it on', () => {
    expect(refusal(room(), owner, { kind: 'role', target: guest, role: 'voice' })).toBe(
      'not_allowed',
    );
    expect(refusal(room(), owner, { kind: 'role', target: owner, role: 'member' })).toBe(
      'not_allowed',
    );
    expect(refusal(room(), owner, { kind: 'role', target: mod, role: 'moderator' })).toBe(
      'not_allowed',
    );
  });

  it('give operators every power in every room, and the default room to them', () => {
    const rules = room();
    expect(
      allowed(rules, operator, { kind: 'role', target: member, role: 'owner' }).roleOf(member),
    ).toBe('owner');
    const general = new RoomRules(emptyRecord('#general', '#general'));
    expect(general.roleOf(operator)).toBe('owner');
    expect(refusal(general, owner, { kind: 'claim' })).toBe('not_allowed');
    expect(refusal(general, operator, { kind: 'role', target: member, role: 'owner' })).toBe(
      'not_allowed',
    );
    expect(general.frame()).toMatchObject({ operators: true });
  });
});

describe('claiming a room', () => {
  it('is for an account, of a room with no owner, once', () => {
    const unowned = new RoomRules(emptyRecord('#old', '#old'));
    expect(refusal(unowned, guest, { kind: 'claim' })).toBe('not_allowed');
    const claimed = allowed(unowned, member, { kind: 'claim' });
    expect(claimed.roleOf(member)).toBe('owner');
    expect(refusal(claimed, owner, { kind: 'claim' })).toBe('not_allowed');
  });
});

describe('topics and modes', () => {
  it('let anyone set the topic of a room that does not lock it, and only owner and moderators one that does', () => {
    const locked = room();
    expect(locked.record.modes.topic_locked).toBe(true);
    expect(refusal(locked, member, { kind: 'topic', text: 'mine' })).toBe('not_allowed');
    expect(allowed(locked, mod, { kind: 'topic', text: 'dens' }).record.topic).toEqual({
      text: 'dens',
      by: 'mo',
      ts: NOW,
    });
    const open = allowed(locked, owner, { kind: 'mode', modes: { topic_locked: false } });
    const set = allowed(open, member, { kind: 'topic', text: 'anyone' });
    expect(set.record.topic?.text).toBe('anyone');
    expect(allowed(set, member, { kind: 'topic', text: '' }).record.topic).toBeUndefined();
  });

  it('are set by owner and moderators only, and only those named change', () => {
    expect(refusal(room(), member, { kind: 'mode', modes: { secret: true } })).toBe('not_allowed');
    const secret = allowed(room(), mod, { kind: 'mode', modes: { secret: true, moderated: true } });
    expect(secret.record.modes).toEqual({
      invite_only: false,
      secret: true,
      moderated: true,
      topic_locked: true,
    });
  });
});

describe('joining', () => {
  it('keeps out the banned (a guest by key and by address), lets operators in, and ends with the ban', () => {
    const banned = allowed(room(), mod, { kind: 'ban', target: guest, until: NOW + 60_000 });
    expect(checkJoin(banned, guest, NOW)?.code).toBe('banned');
    // The same guest under another name and key, from the same address.
    const again: Actor = { ...guest, identity: 'g:another-key', name: 'gus2' };
    expect(checkJoin(banned, again, NOW)?.code).toBe('banned');
    // An account from that address is someone else.
    expect(checkJoin(banned, { ...member, address: guest.address! }, NOW)).toBeUndefined();
    expect(checkJoin(banned, guest, NOW + 60_001)).toBeUndefined();
    const accountBan = allowed(room(), mod, { kind: 'ban', target: member });
    expect(checkJoin(accountBan, member, NOW)?.code).toBe('banned');
    expect(checkJoin(accountBan, { ...member, operator: true }, NOW)).toBeUndefined();
  });

  it('takes an invitation to an invite-only room, or a role, or a room the account is in already', () => {
    const closed = allowed(room(), owner, { kind: 'mode', modes: { invite_only: true } });
    expect(checkJoin(closed, member, NOW)?.code).toBe('invite_only');
    expect(checkJoin(closed, mod, NOW)).toBeUndefined();
    expect(checkJoin(closed, member, NOW, true)).toBeUndefined();
    const invited = allowed(closed, mod, { kind: 'invite', target: member });
    expect(checkJoin(invited, member, NOW)).toBeUndefined();
    const used = allowed(invited, member, { kind: 'use_invite', target: member });
    expect(checkJoin(used, member, NOW)?.code).toBe('invite_only');
    const withdrawn = allowed(invited, owner, { kind: 'uninvite', target: member });
    expect(checkJoin(withdrawn, member, NOW)?.code).toBe('invite_only');
  });

  it('is refused for everyone but operators once an operator closes the room', () => {
    expect(refusal(room(), owner, { kind: 'close' })).toBe('not_allowed');
    const closed = allowed(room(), operator, { kind: 'close', reason: 'spam' });
    expect(checkJoin(closed, owner, NOW)?.code).toBe('room_closed');
    expect(checkJoin(closed, operator, NOW)).toBeUndefined();
    expect(checkJoin(allowed(closed, operator, { kind: 'reopen' }), owner, NOW)).toBeUndefined();
  });
});

describe('speaking', () => {
  it('checks nothing in a room with no mute and no moderation', () => {
    const rules = room();
    expect(rules.restrictsSpeech).toBe(false);
    expect(checkSay(rules, guest, NOW)).toBeUndefined();
  });

  it('keeps the muted quiet until their mute ends, and in a moderated room all but voice and up', () => {
    const muted = allowed(room(), mod, { kind: 'mute', target: member, until: NOW + 1_000 });
    expect(checkSay(muted, member, NOW)?.code).toBe('muted');
    expect(checkSay(muted, member, NOW + 1_001)).toBeUndefined();
    expect(
      checkSay(allowed(muted, mod, { kind: 'unmute', target: member }), member, NOW),
    ).toBeUndefined();
    const moderated = allowed(room(), owner, { kind: 'mode', modes: { moderated: true } });
    expect(checkSay(moderated, member, NOW)?.code).toBe('muted');
    expect(checkSay(moderated, guest, NOW)?.code).toBe('muted');
    expect(checkSay(moderated, voiced, NOW)).toBeUndefined();
    expect(checkSay(moderated, mod, NOW)).toBeUndefined();
    expect(checkSay(moderated, owner, NOW)).toBeUndefined();
  });
});

describe('removing people', () => {
  it('goes only downward: a moderator removes members, not moderators nor the owner', () => {
    const rules = room();
    expect(refusal(rules, mod, { kind: 'kick', target: member })).toBeUndefined();
    expect(refusal(rules, mod, { kind: 'kick', target: owner })).toBe('not_allowed');
    expect(
      refusal(rules, mod, { kind: 'ban', target: person('mo2', { identity: mod.identity }) }),
    ).toBe('not_allowed');
    expect(refusal(rules, member, { kind: 'kick', target: guest })).toBe('not_allowed');
    expect(refusal(rules, owner, { kind: 'mute', target: operator })).toBe('not_allowed');
    expect(refusal(rules, operator, { kind: 'ban', target: owner })).toBeUndefined();
  });

  it('writes nothing for a kick, and drops a banned person’s role and invitation', () => {
    const rules = room();
    const kick = applyChange(rules, owner, { kind: 'kick', target: member }, NOW);
    expect('record' in kick && kick.record).toBe(rules.record);
    const invited = allowed(rules, owner, { kind: 'invite', target: voiced });
    const banned = allowed(invited, owner, { kind: 'ban', target: voiced, reason: 'spam' });
    expect(banned.roleOf(voiced)).toBe('member');
    expect(banned.isInvited(voiced)).toBe(false);
    expect(banned.record.bans).toEqual([
      {
        identity: voiced.identity,
        name: 'vic',
        account: true,
        by: 'olga',
        reason: 'spam',
        ts: NOW,
      },
    ]);
    expect(allowed(banned, mod, { kind: 'unban', name: 'VIC' }).record.bans).toEqual([]);
    expect(refusal(banned, mod, { kind: 'unban', name: 'nobody' })).toBe('no_such_user');
  });

  it('forgets bans and mutes that ended at the next change', () => {
    const rules = allowed(room(), owner, { kind: 'ban', target: guest, until: NOW - 1 });
    expect(allowed(rules, owner, { kind: 'topic', text: 'x' }).record.bans).toEqual([]);
  });
});

describe('the server’s bans', () => {
  it('are made by operators, of accounts and addresses, never of an operator', () => {
    const record = { version: 0, bans: [] };
    const target = { account: { id: 'meg-id', name: 'meg' }, operator: false };
    expect('refused' in applyServerChange(record, owner, { kind: 'ban', target }, NOW)).toBe(true);
    const banned = applyServerChange(
      record,
      operator,
      { kind: 'ban', target, until: NOW + 10 },
      NOW,
    );
    if (!('record' in banned)) throw new Error('refused');
    const rules = new ServerRules(banned.record);
    expect(rules.accountBan('meg-id', NOW)).toBeDefined();
    expect(rules.accountBan('meg-id', NOW + 11)).toBeUndefined();
    const byAddress = applyServerChange(
      banned.record,
      operator,
      { kind: 'ban', target: { address: '10.0.0.7' } },
      NOW,
    );
    if (!('record' in byAddress)) throw new Error('refused');
    expect(new ServerRules(byAddress.record).addressBan('10.0.0.7', NOW)).toBeDefined();
    const op = { account: { id: 'root2', name: 'root2' }, operator: true };
    expect(applyServerChange(record, operator, { kind: 'ban', target: op }, NOW)).toMatchObject({
      refused: { code: 'not_allowed' },
    });
  });
});
