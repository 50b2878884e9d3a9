import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, SqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';
import { SMALL_MAILBOXES, storeContract } from './store-contract.js';

storeContract('memory', async () => new MemoryStore({ mailbox: SMALL_MAILBOXES }));

const dirs: Array<{ remove: () => void }> = [];
let current = '';
afterAll(() => dirs.forEach((d) => d.remove()));

storeContract(
  'sqlite',
  async () => {
    const dir = tempDir();
    dirs.push(dir);
    current = dir.path;
    return SqliteStore.open({ dataDir: current, mailbox: SMALL_MAILBOXES });
  },
  async () => SqliteStore.open({ dataDir: current, mailbox: SMALL_MAILBOXES }),
);

describe('the sqlite store’s guest mailboxes', () => {
  const direct = (text: string, ts: number) => ({
    id: text,
    from: 'ada',
    to: 'bob',
    text,
    ts,
    action: false,
  });

  it('are forgotten once their newest message is older than the guest age; accounts’ are kept', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const day = 24 * 60 * 60 * 1000;
    let now = 100 * day;
    const open = () =>
      SqliteStore.open({
        dataDir: dir.path,
        mailbox: { ...SMALL_MAILBOXES, guestTtlMs: 30 * day },
        now: () => now,
      });
    let store = await open();
    await store.appendDirect('g:old', direct('old', now - 40 * day));
    await store.appendDirect('g:recent', direct('recent', now - 10 * day));
    await store.appendDirect('a:account', direct('kept', now - 400 * day));
    await store.close();
    store = await open();
    expect(await store.pageDirect('g:old', { limit: 10 })).toEqual([]);
    expect(await store.pageDirect('g:recent', { limit: 10 })).toHaveLength(1);
    expect(await store.pageDirect('a:account', { limit: 10 })).toHaveLength(1);
    now += 30 * day;
    await store.close();
    store = await open();
    expect(await store.pageDirect('g:recent', { limit: 10 })).toEqual([]);
    await store.close();
  });
});

describe('the memory store’s bounds', () => {
  const draft = (roomKey: string, text: string) => ({
    id: text,
    roomKey,
    room: roomKey,
    from: 'ada',
    text,
    ts: 1,
    action: false,
  });
  const direct = (text: string) => ({
    id: text,
    from: 'ada',
    to: 'bob',
    text,
    ts: 1,
    action: false,
  });

  it('keeps the rooms written to last: past maxRooms, the one written longest ago goes', async () => {
    const store = new MemoryStore({ maxRooms: 2 });
    await store.append(draft('#a', 'first in a'));
    await store.append(draft('#b', 'first in b'));
    await store.append(draft('#a', 'second in a'));
    await store.append(draft('#c', 'first in c'));
    expect((await store.page('#a', { limit: 10 })).map((m) => m.text)).toEqual([
      'first in a',
      'second in a',
    ]);
    expect(await store.page('#b', { limit: 10 })).toEqual([]);
    expect((await store.page('#c', { limit: 10 })).map((m) => m.seq)).toEqual([1]);
  });

  it('keeps the mailboxes written to last: past maxMailboxes, the one written longest ago goes', async () => {
    const store = new MemoryStore({ maxMailboxes: 2 });
    await store.appendDirect('g:one', direct('to one'));
    await store.appendDirect('g:two', direct('to two'));
    await store.appendDirect('g:one', direct('to one again'));
    await store.appendDirect('g:three', direct('to three'));
    expect(await store.pageDirect('g:one', { limit: 10 })).toHaveLength(2);
    expect(await store.pageDirect('g:two', { limit: 10 })).toEqual([]);
    expect(await store.pageDirect('g:three', { limit: 10 })).toHaveLength(1);
  });
});

describe('a sqlite file made by an older server', () => {
  it('opens with its history as it was, and keeps replies from then on', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // The tables as the first release made them: no reply columns, no id index.
    const { DatabaseSync } = await import('node:sqlite');
    const old = new DatabaseSync(join(dir.path, 'confab.db'));
    old.exec(`
      CREATE TABLE messages (room_key TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
        room TEXT NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
        action INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (room_key, seq)) WITHOUT ROWID;
      CREATE TABLE direct_messages (owner TEXT NOT NULL, dseq INTEGER NOT NULL, id TEXT NOT NULL,
        sender TEXT NOT NULL, recipient TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
        action INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (owner, dseq)) WITHOUT ROWID;
      INSERT INTO messages VALUES ('#a', 1, 'old-1', '#a', 'ada', 'from before', 5, 0);
    `);
    old.close();
    const store = await SqliteStore.open({ dataDir: dir.path });
    const [before] = await store.page('#a', { limit: 10 });
    expect(before).toEqual({
      roomKey: '#a',
      seq: 1,
      id: 'old-1',
      room: '#a',
      from: 'ada',
      text: 'from before',
      ts: 5,
      action: false,
    });
    expect(await store.find('#a', 'old-1')).toEqual(before);
    const stored = await store.append({
      id: 'new-1',
      roomKey: '#a',
      room: '#a',
      from: 'bob',
      text: 'an answer',
      ts: 6,
      action: false,
      reply: { id: 'old-1', from: 'ada', text: 'from before' },
    });
    expect(await store.find('#a', 'new-1')).toEqual(stored);
    await store.close();
  });
});
