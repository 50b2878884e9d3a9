import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account, AccountStore, SessionRecord } from '../src/index.js';
import { MAX_SESSIONS_PER_ACCOUNT, SESSION_TTL_MS } from '../src/index.js';
import type { Backend, OpenPart } from './store-backends.js';

let nextId = 0;

function account(nameKey: string, extra: Partial<Account> = {}): Account {
  return {
    id: `acc${nextId++}`,
    nameKey,
    name: nameKey.toUpperCase(),
    lookalike: `look-of-${nameKey}`,
    passwordHash: 'scrypt$14$8$1$c2FsdA$aGFzaA',
    created: 1_700_000_000_000,
    rooms: ['#general'],
    ...extra,
  };
}

function session(
  accountId: string,
  seen: number,
  extra: Partial<SessionRecord> = {},
): SessionRecord {
  const id = `s${nextId++}`;
  return {
    id,
    accountId,
    tokenHash: `hash-of-${id}`,
    client: 'confab-tui/0.1.0',
    created: seen,
    seen,
    ...extra,
  };
}

/** The contract every account store passes, on each backend. */
export function accountsContract({ name, open, reopen }: Backend<AccountStore>): void {
  describe(`${name} account store`, () => {
    let store: { accounts: AccountStore; close: () => Promise<void> };
    const opened = ({ part, close }: OpenPart<AccountStore>) => ({ accounts: part, close });

    beforeEach(async () => {
      store = opened(await open());
    });

    afterEach(async () => {
      await store.close();
    });

    it('makes an account once per name, and finds it by name and by id', async () => {
      const ada = account('ada', { name: 'Ada', rooms: ['#general', '#rust'] });
      expect(await store.accounts.create(ada)).toBe(true);
      expect(await store.accounts.create(account('ada'))).toBe(false);
      expect(await store.accounts.byName('ada')).toEqual(ada);
      expect(await store.accounts.byId(ada.id)).toEqual(ada);
      expect(await store.accounts.byName('nobody')).toBeUndefined();
      expect(await store.accounts.byId('nobody')).toBeUndefined();
    });

    it('makes no account whose name looks like another’s, and finds an account by how its name looks', async () => {
      const ada = account('adminkl9', { lookalike: 'adrninkl9' });
      expect(await store.accounts.create(ada)).toBe(true);
      expect(await store.accounts.byLookalike('adrninkl9')).toEqual(ada);
      expect(await store.accounts.byLookalike('nothing-like')).toBeUndefined();
      // Another name, the same look: refused, and nothing of it kept.
      const twin = account('adminki9', { lookalike: 'adrninkl9' });
      expect(await store.accounts.create(twin)).toBe(false);
      expect(await store.accounts.byName('adminki9')).toBeUndefined();
      expect(await store.accounts.byId(twin.id)).toBeUndefined();
    });

    it(`keeps at most ${MAX_SESSIONS_PER_ACCOUNT} sessions of an account, ending the one used longest ago`, async () => {
      const ada = account('ada');
      await store.accounts.create(ada);
      const now = Date.now();
      const first = session(ada.id, now - 10_000);
      await store.accounts.addSession(first);
      for (let i = 1; i < MAX_SESSIONS_PER_ACCOUNT; i++)
        await store.accounts.addSession(session(ada.id, now - 5_000 + i));
      expect(await store.accounts.sessions(ada.id, now)).toHaveLength(MAX_SESSIONS_PER_ACCOUNT);
      await store.accounts.addSession(session(ada.id, now));
      const kept = await store.accounts.sessions(ada.id, now);
      expect(kept).toHaveLength(MAX_SESSIONS_PER_ACCOUNT);
      expect(kept.map((s) => s.id)).not.toContain(first.id);
      expect(await store.accounts.sessionByToken(first.tokenHash, now)).toBeUndefined();
    });

    it('changes the password hash and the remembered rooms', async () => {
      const ada = account('ada');
      await store.accounts.create(ada);
      await store.accounts.setPassword(ada.id, 'scrypt$14$8$1$bmV3$bmV3');
      await store.accounts.setRooms(ada.id, ['#rust', '#go']);
      expect(await store.accounts.byName('ada')).toMatchObject({
        passwordHash: 'scrypt$14$8$1$bmV3$bmV3',
        rooms: ['#rust', '#go'],
      });
    });

    it('hashes a password again only if its hash did not change meanwhile', async () => {
      const ada = account('ada');
      await store.accounts.create(ada);
      const cheaper = ada.passwordHash;
      expect(await store.accounts.rehashPassword(ada.id, cheaper, 'scrypt$15$8$1$bmV3$bmV3')).toBe(
        true,
      );
      // A second device's login read the old hash: it must not undo the first's.
      expect(await store.accounts.rehashPassword(ada.id, cheaper, 'scrypt$16$8$1$b2xk$b2xk')).toBe(
        false,
      );
      expect(await store.accounts.byId(ada.id)).toMatchObject({
        passwordHash: 'scrypt$15$8$1$bmV3$bmV3',
      });
      expect(await store.accounts.rehashPassword('nobody', cheaper, 'x')).toBe(false);
    });

    it('finds a session by its token hash until it is revoked or expires unused', async () => {
      const ada = account('ada');
      await store.accounts.create(ada);
      const now = Date.now();
      const kept = session(ada.id, now);
      await store.accounts.addSession(kept);
      expect(await store.accounts.sessionByToken(kept.tokenHash, now)).toEqual(kept);
      expect(await store.accounts.sessionByToken('no-such-hash', now)).toBeUndefined();
      // Used again: its time to live counts from then.
      await store.accounts.touchSession(kept, now + 1_000);
      expect(
        await store.accounts.sessionByToken(kept.tokenHash, now + SESSION_TTL_MS + 500),
      ).toMatchObject({ seen: now + 1_000 });
      expect(await store.accounts.revoke(ada.id, kept.id)).toBe(true);
      expect(await store.accounts.revoke(ada.id, kept.id)).toBe(false);
      expect(await store.accounts.sessionByToken(kept.tokenHash, now + 1_000)).toBeUndefined();
      // Unused for longer than the time to live: gone.
      const idle = session(ada.id, now);
      await store.accounts.addSession(idle);
      expect(
        await store.accounts.sessionByToken(idle.tokenHash, now + SESSION_TTL_MS + 1),
      ).toBeUndefined();
    });

    it('lists an account’s sessions newest first, and revokes all but one', async () => {
      const ada = account('ada');
      const bob = account('bob');
      await store.accounts.create(ada);
      await store.accounts.create(bob);
      const now = Date.now();
      const older = session(ada.id, now - 2_000);
      const newer = session(ada.id, now - 1_000);
      const newest = session(ada.id, now);
      const bobs = session(bob.id, now);
      for (const s of [older, newest, newer, bobs]) await store.accounts.addSession(s);
      expect((await store.accounts.sessions(ada.id, now)).map((s) => s.id)).toEqual([
        newest.id,
        newer.id,
        older.id,
      ]);
      // One account cannot revoke another's session.
      expect(await store.accounts.revoke(ada.id, bobs.id)).toBe(false);
      expect((await store.accounts.revokeAllBut(ada.id, newer.id)).sort()).toEqual(
        [older.id, newest.id].sort(),
      );
      expect((await store.accounts.sessions(ada.id, now)).map((s) => s.id)).toEqual([newer.id]);
      expect(await store.accounts.sessionByToken(newest.tokenHash, now)).toBeUndefined();
      expect(await store.accounts.sessionByToken(bobs.tokenHash, now)).toEqual(bobs);
    });

    if (reopen) {
      it('keeps accounts and sessions across a restart', async () => {
        const ada = account('ada');
        await store.accounts.create(ada);
        const kept = session(ada.id, Date.now());
        await store.accounts.addSession(kept);
        await store.close();
        store = opened(await reopen());
        expect(await store.accounts.byName('ada')).toEqual(ada);
        expect(await store.accounts.sessionByToken(kept.tokenHash, Date.now())).toEqual(kept);
      });
    }
  });
}
