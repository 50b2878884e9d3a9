import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoomRecord, RoomStore } from '../src/index.js';
import { MODLOG_KEEP, emptyRecord } from '../src/index.js';
import type { Backend, OpenPart } from './store-backends.js';

function owned(key: string, owner: string, version = 1): RoomRecord {
  return {
    ...emptyRecord(key, key),
    version,
    owner: { identity: owner, name: owner.slice(2) },
    topic: { text: `about ${key}`, by: 'ada', ts: 1 },
    bans: [
      { identity: 'g:troll', name: 'troll', account: false, address: '10.0.0.9', by: 'ada', ts: 2 },
    ],
  };
}

/** The contract every room store passes, on each backend. */
export function roomsContract({ name, open, reopen }: Backend<RoomStore>): void {
  describe(`${name} room store`, () => {
    let store: { rooms: RoomStore; close: () => Promise<void> };
    const opened = ({ part, close }: OpenPart<RoomStore>) => ({ rooms: part, close });

    beforeEach(async () => {
      store = opened(await open());
    });

    afterEach(async () => {
      await store.close();
    });

    it('keeps a record written over version 0 once, and gives it back whole', async () => {
      const record = owned('#den', 'a:ada');
      expect(await store.rooms.room('#den')).toBeUndefined();
      expect(await store.rooms.putRoom(record, 0)).toBe(true);
      // Someone else making the same room meanwhile finds it made.
      expect(await store.rooms.putRoom(owned('#den', 'a:bob'), 0)).toBe(false);
      expect(await store.rooms.room('#den')).toEqual(record);
      expect(await store.rooms.rooms(['#den', '#none'])).toEqual([record]);
    });

    it('writes only over the version read: of two changes made at once, one holds and the other reads again', async () => {
      await store.rooms.putRoom(owned('#den', 'a:ada'), 0);
      const first = { ...owned('#den', 'a:ada', 2), topic: { text: 'first', by: 'ada', ts: 3 } };
      const second = { ...owned('#den', 'a:ada', 2), topic: { text: 'second', by: 'bob', ts: 3 } };
      const results = await Promise.all([
        store.rooms.putRoom(first, 1),
        store.rooms.putRoom(second, 1),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const kept = await store.rooms.room('#den');
      expect(kept?.version).toBe(2);
      expect([first, second]).toContainEqual(kept);
      expect(await store.rooms.putRoom({ ...kept!, version: 3 }, 2)).toBe(true);
    });

    it('counts the rooms each identity owns as owners change, and lists owned rooms', async () => {
      await store.rooms.putRoom(owned('#a', 'a:ada'), 0);
      await store.rooms.putRoom(owned('#b', 'a:ada'), 0);
      await store.rooms.putRoom(emptyRecord('#c', '#c'), 0);
      expect(await store.rooms.ownedCount('a:ada')).toBe(2);
      // Handed on: ada owns one, bob one.
      const handed = { ...owned('#b', 'a:bob', 2) };
      expect(await store.rooms.putRoom(handed, 1)).toBe(true);
      expect(await store.rooms.ownedCount('a:ada')).toBe(1);
      expect(await store.rooms.ownedCount('a:bob')).toBe(1);
      expect((await store.rooms.ownedRooms(10)).sort()).toEqual(['#a', '#b']);
      expect(await store.rooms.ownedRooms(1)).toHaveLength(1);
    });

    it('keeps the server’s record like a room’s, over its version', async () => {
      expect(await store.rooms.server()).toEqual({ version: 0, bans: [] });
      const banned = { version: 1, bans: [{ address: '10.0.0.9', by: 'root', ts: 5 }] };
      expect(await store.rooms.putServer(banned, 0)).toBe(true);
      expect(await store.rooms.putServer({ version: 1, bans: [] }, 0)).toBe(false);
      expect(await store.rooms.server()).toEqual(banned);
      expect(await store.rooms.putServer({ version: 2, bans: [] }, 1)).toBe(true);
    });

    it('numbers log entries in order, pages back through a scope, and keeps its newest', async () => {
      const entry = (scope: string, n: number) => ({
        scope,
        ts: n,
        room: scope,
        action: 'kick' as const,
        by: 'ada',
        name: `troll${n}`,
      });
      const ids: number[] = [];
      for (let n = 0; n < 5; n++) ids.push((await store.rooms.log(entry('#den', n))).id);
      await store.rooms.log(entry('#other', 9));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const newest = await store.rooms.readLog('#den', undefined, 3);
      expect(newest.map((e) => e.name)).toEqual(['troll2', 'troll3', 'troll4']);
      expect(newest[0]).toEqual({ ...entry('#den', 2), id: ids[2] });
      const older = await store.rooms.readLog('#den', newest[0]!.id, 3);
      expect(older.map((e) => e.name)).toEqual(['troll0', 'troll1']);
      expect(await store.rooms.readLog('', undefined, 3)).toEqual([]);
    });

    it(`keeps the newest ${MODLOG_KEEP} entries of a scope`, async () => {
      for (let n = 0; n < MODLOG_KEEP + 5; n++)
        await store.rooms.log({ scope: '#busy', ts: n, action: 'kick', by: 'ada', name: `t${n}` });
      const all = await store.rooms.readLog('#busy', undefined, MODLOG_KEEP + 5);
      expect(all).toHaveLength(MODLOG_KEEP);
      expect(all[0]!.name).toBe('t5');
    });

    if (reopen)
      it('keeps records, counts, the server’s record and the log across a restart', async () => {
        await store.rooms.putRoom(owned('#den', 'a:ada'), 0);
        await store.rooms.putServer(
          { version: 1, bans: [{ address: '10.0.0.9', by: 'root', ts: 5 }] },
          0,
        );
        await store.rooms.log({ scope: '#den', ts: 1, action: 'ban', by: 'ada', name: 'troll' });
        await store.close();
        store = opened(await reopen());
        expect(await store.rooms.room('#den')).toEqual(owned('#den', 'a:ada'));
        expect(await store.rooms.ownedCount('a:ada')).toBe(1);
        expect((await store.rooms.server()).bans).toHaveLength(1);
        expect((await store.rooms.readLog('#den', undefined, 10)).map((e) => e.name)).toEqual([
          'troll',
        ]);
      });
  });
}
