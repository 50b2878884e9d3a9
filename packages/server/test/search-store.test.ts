import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { TestRedis } from '@confab/test-kit';
import { startRedis, tempDir, waitFor } from '@confab/test-kit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../src/cluster/cluster.js';
import { joinCluster } from '../src/cluster/cluster.js';
import type { ChangeStore, HistoryStore } from '../src/index.js';
import { MemoryStore, SqliteStore } from '../src/index.js';
import { DEFAULT_MAILBOX_LIMITS } from '../src/core/ports.js';
import type { SearchableStore } from './search-contract.js';
import { searchContract } from './search-contract.js';
import type { Backend } from './store-backends.js';

const dirs: Array<{ remove: () => void }> = [];
let redis: TestRedis | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  dirs.forEach((dir) => dir.remove());
  await redis?.stop();
});
let folder = '';

/** A node of a chat kept in the test's Redis (`prefix`), its replica of the index in `dataDir`. */
function node(prefix: string, dataDir: string): Promise<Cluster> {
  return joinCluster({
    url: redis!.url,
    node: randomBytes(4).toString('hex'),
    prefix,
    historyPerRoom: 1000,
    mailbox: DEFAULT_MAILBOX_LIMITS,
    durability: 'none',
    searchIndex: { dataDir },
    nodeTtlMs: 10_000,
    logger: pino({ level: 'silent' }),
    onReaped: () => undefined,
    onNamesLost: () => undefined,
  });
}

/**
 * A node's history and changes as the contract uses them: through the bus,
 * as the chat writes them, so each node's replica takes them from there.
 */
function searchable(cluster: Cluster): SearchableStore {
  const history: Partial<HistoryStore> = {
    append: (draft) => cluster.bus.post(draft),
    appendDirect: (owner, draft) => cluster.bus.postDirect(owner, draft),
    flush: async () => undefined,
  };
  const changes: Partial<ChangeStore> = {
    edit: (change) => cluster.bus.edit(change),
    remove: (change) => cluster.bus.remove(change),
  };
  return {
    history: history as HistoryStore,
    changes: changes as ChangeStore,
    index: cluster.search!,
  };
}

let chat = '';
const replica = async () => {
  const cluster = await node(chat, folder);
  await cluster.search!.settled();
  return { part: searchable(cluster), close: () => cluster.close() };
};

/** `searchMoveAtOnce` 1: each message is in the full-text index itself as soon as it is committed. */
const sqlite = async (searchMoveAtOnce?: number) => {
  const store = await SqliteStore.open({
    dataDir: folder,
    ...(searchMoveAtOnce === undefined ? {} : { searchMoveAtOnce }),
  });
  const part: SearchableStore = { history: store, changes: store.changes, index: store.search };
  return { part, close: () => store.close() };
};

const backends: Array<Backend<SearchableStore>> = [
  {
    name: 'memory',
    open: async () => {
      const store = new MemoryStore();
      return {
        part: { history: store, changes: store.changes, index: store },
        close: async () => undefined,
      };
    },
  },
  {
    // A few messages wait as pending rows, as they do most of the time.
    name: 'sqlite',
    open: () => {
      const dir = tempDir();
      dirs.push(dir);
      folder = dir.path;
      return sqlite();
    },
    reopen: () => sqlite(),
  },
  {
    name: 'sqlite (each message taken by the full-text index at once)',
    open: () => {
      const dir = tempDir();
      dirs.push(dir);
      folder = dir.path;
      return sqlite(1);
    },
    reopen: () => sqlite(1),
  },
  {
    name: "redis (a node's replica)",
    open: () => {
      const dir = tempDir();
      dirs.push(dir);
      folder = dir.path;
      chat = `confab:search:${randomBytes(4).toString('hex')}:`;
      return replica();
    },
    reopen: replica,
  },
];
backends.forEach(searchContract);

describe('sqlite search index', () => {
  it('indexes, once, what a file kept before it had an index, oldest first', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await SqliteStore.open({ dataDir: dir.path });
    for (const [n, room] of ['#den', '#ops', '#den'].entries())
      await first.append({
        id: `m${n}`,
        roomKey: room,
        room,
        from: 'Ada',
        text: `old note ${n}`,
        ts: 100 + n,
        action: false,
      });
    await first.appendDirect('a:ada', {
      id: 'd1',
      from: 'Bob',
      to: 'Ada',
      text: 'old note by hand',
      ts: 150,
      action: false,
    });
    await first.flush();
    await first.close();
    // As a server before the index left it.
    const raw = new DatabaseSync(join(dir.path, 'confab.db'));
    raw.exec('DROP TABLE search_index; DROP TABLE search_rows;');
    raw.close();
    const again = await SqliteStore.open({ dataDir: dir.path });
    await again.append({
      id: 'new',
      roomKey: '#den',
      room: '#den',
      from: 'Ada',
      text: 'new note',
      ts: 200,
      action: false,
    });
    await again.flush();
    const page = await again.search.search({
      terms: ['note'],
      rooms: ['#den', '#ops'],
      mailbox: 'a:ada',
      limit: 10,
      budget: 100,
    });
    expect(page.found.map((found) => found.text)).toEqual([
      'new note',
      'old note by hand',
      'old note 2',
      'old note 1',
      'old note 0',
    ]);
    const byBob = await again.search.search({
      terms: ['note'],
      rooms: [],
      mailbox: 'a:ada',
      peer: 'bob',
      limit: 10,
      budget: 100,
    });
    expect(byBob.found.map((found) => found.id)).toEqual(['d1']);
    await again.close();
  });
});

describe("a cluster node's replica of the search index", () => {
  const draft = (id: string, text: string, ts: number) => ({
    id,
    roomKey: '#den',
    room: '#den',
    from: 'ada',
    text,
    ts,
    action: false,
  });
  const query = (terms: string[]) => ({ terms, rooms: ['#den'], limit: 10, budget: 100 });
  const texts = async (cluster: Cluster, terms: string[]) =>
    (await cluster.search!.search(query(terms))).found.map((found) => found.text);

  it('catches up, as it starts again, on what was said, edited and deleted while it was down', async () => {
    const prefix = `confab:search:${randomBytes(4).toString('hex')}:`;
    const [mine, other] = [tempDir(), tempDir()];
    dirs.push(mine, other);
    let first = await node(prefix, mine.path);
    const second = await node(prefix, other.path);
    try {
      const kept = await first.bus.post(draft('a', 'alpha one', 1000));
      const doomed = await first.bus.post(draft('b', 'bravo doomed', 1001));
      expect(await texts(first, ['alpha'])).toEqual(['alpha one']);
      await first.close();
      // While it is down, the other node goes on.
      await second.bus.post(draft('c', 'charlie two', 1002));
      await second.bus.edit({
        ...kept,
        text: 'alpha edited',
        ts: 1003,
        excerpt: '',
      });
      await second.bus.remove({ ...doomed, by: 'ada', ts: 1004 });
      await second.bus.postDirect('a:ada', {
        id: 'd',
        from: 'bob',
        to: 'ada',
        text: 'delta direct',
        ts: 1005,
        action: false,
      });
      await second.bus.post(draft('e', 'echo two', 1006));
      first = await node(prefix, mine.path);
      await first.search!.settled();
      expect(await texts(first, ['charlie'])).toEqual(['charlie two']);
      expect(await texts(first, ['alpha'])).toEqual(['alpha edited']);
      expect(await texts(first, ['one'])).toEqual([]);
      expect(await texts(first, ['doomed'])).toEqual([]);
      const direct = await first.search!.search({
        ...query(['delta']),
        rooms: [],
        mailbox: 'a:ada',
      });
      expect(direct.found).toMatchObject([
        { text: 'delta direct', direct: { to: 'ada', dseq: 1 } },
      ]);
      // Both nodes order the same messages the same way: one's cursor goes on at the other.
      const pageOne = await first.search!.search({ ...query(['two']), limit: 1 });
      const pageTwo = await second.search!.search({ ...query(['two']), limit: 1 });
      expect(pageOne).toEqual(pageTwo);
      expect(pageOne.next).toBeDefined();
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('reads again what pub/sub dropped while its subscription was cut', async () => {
    const prefix = `confab:search:${randomBytes(4).toString('hex')}:`;
    const [one, two] = [tempDir(), tempDir()];
    dirs.push(one, two);
    const reader = await node(prefix, one.path);
    const writer = await node(prefix, two.path);
    const admin = new Redis(redis!.url);
    try {
      for (let n = 1; n <= 30; n++) {
        await writer.bus.post(draft(`m${n}`, `echo ${n}`, 2000 + n));
        if (n === 10) await admin.client('KILL', 'TYPE', 'pubsub');
      }
      await waitFor(
        async () => (await texts(reader, ['echo'])).length === 10,
        'the reader to find what was said while it was cut off',
      );
      expect(await texts(reader, ['echo'])).toEqual(
        Array.from({ length: 10 }, (_, i) => `echo ${30 - i}`),
      );
    } finally {
      admin.disconnect();
      await reader.close();
      await writer.close();
    }
  });
});
