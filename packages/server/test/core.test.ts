import { describe, expect, it } from 'vitest';
import { ConfabError } from '@confab/protocol';
import type { FrameError, ServerFrame } from '@confab/protocol';
import type { ChatUser } from '../src/core/chat-core.js';
import { ChatCore } from '../src/core/chat-core.js';
import type { Outgoing, Recipient } from '../src/core/outgoing.js';
import type {
  BusEvent,
  DirectDraft,
  HistoryStore,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../src/index.js';
import { LocalBus, MemoryDirectory, MemoryStore } from '../src/index.js';

/** A recipient that keeps what it is sent. */
class Inbox implements Recipient {
  readonly frames: ServerFrame[] = [];
  constructor(readonly sessionId: number) {}
  deliver(out: Outgoing): void {
    this.frames.push(out.frame);
  }
  welcomed(): void {}
  /** Always ready: nothing waits to be read, and no budget applies. */
  async ready(): Promise<boolean> {
    return true;
  }
  spent(): void {}
  of<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f) => f.type === type) as Extract<ServerFrame, { type: T }>[];
  }
}

/** A memory store whose reads wait until the test lets them go: a slow disk, on demand. */
class HeldStore implements HistoryStore {
  private readonly inner = new MemoryStore();
  private held: Array<() => void> = [];
  hold = false;
  append(draft: MessageDraft): Promise<StoredMessage> {
    return this.inner.append(draft);
  }
  async page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    const rows = await this.inner.page(roomKey, query);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    return rows;
  }
  find(roomKey: string, id: string): Promise<StoredMessage | undefined> {
    return this.inner.find(roomKey, id);
  }
  appendDirect(owner: string, draft: DirectDraft): Promise<StoredDirect> {
    return this.inner.appendDirect(owner, draft);
  }
  findDirect(owner: string, id: string): Promise<StoredDirect | undefined> {
    return this.inner.findDirect(owner, id);
  }
  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    return this.inner.pageDirect(owner, query);
  }
  clearWaiting(owner: string): Promise<void> {
    return this.inner.clearWaiting(owner);
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A bus that loses room messages while told to, as pub/sub does while its link is broken. */
class LossyBus extends LocalBus {
  losing = false;
  override publish(event: BusEvent): void {
    if (this.losing && event.kind === 'room' && event.seq !== undefined) return;
    super.publish(event);
  }
}

function makeCore(
  store: HistoryStore = new MemoryStore(),
  directory: MemoryDirectory = new MemoryDirectory('n1'),
  bus: LocalBus = new LocalBus(),
) {
  let id = 0;
  let time = 1_000;
  const core = new ChatCore({
    node: 'n1',
    serverName: 'confab/test',
    store,
    changes: (store instanceof MemoryStore ? store : new MemoryStore()).changes,
    bus,
    directory,
    clock: { now: () => time++ },
    ids: { next: () => `id${id++}` },
  });
  let session = 1;
  const join = async (name: string) => {
    const inbox = new Inbox(session++);
    const user = await core.register(inbox, name);
    if (!('key' in user)) throw new Error(user.message);
    return { inbox, user: user as ChatUser };
  };
  return { core, join };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A directory whose room writes fail as they do while Redis is out of reach. */
class UnreachableRooms extends MemoryDirectory {
  override async addMember(): Promise<boolean> {
    throw new ConfabError('unavailable', 'the chat cannot reach its cluster right now; try again');
  }
}

describe('ChatCore (no sockets)', () => {
  it('registers a user whose rooms cannot be recorded, and says so, instead of half registering', async () => {
    const { core, join } = makeCore(new MemoryStore(), new UnreachableRooms('n1'));
    const { inbox } = await join('ada');
    expect(inbox.frames.map((f) => f.type)).toEqual(['welcome', 'error']);
    expect(inbox.of('error')[0]).toMatchObject({ code: 'unavailable' });
    expect(core.userCount).toBe(1);
    expect(core.roomCount).toBe(0);
  });

  it('registers, greets, joins #general, and refuses a taken name', async () => {
    const { core, join } = makeCore();
    const { inbox } = await join('ada');
    expect(inbox.frames.map((f) => f.type)).toEqual(['welcome', 'joined', 'names', 'history']);
    const refused = (await core.register(new Inbox(99), 'ADA')) as FrameError;
    expect(refused.code).toBe('name_taken');
  });

  it('delivers a room message to every member after it is stored, then acks the sender', async () => {
    const { core, join } = makeCore();
    const ada = await join('ada');
    const bob = await join('bob');
    expect(core.say(ada.user, '#GENERAL', 'hi', false, 'r')).toBeUndefined();
    await settle();
    expect(bob.inbox.of('message')).toMatchObject([
      { from: 'ada', text: 'hi', seq: 1, room: '#general' },
    ]);
    expect(ada.inbox.frames.slice(-2).map((f) => f.type)).toEqual(['message', 'ack']);
    expect(core.say(ada.user, '#elsewhere', 'x', false, undefined)).toMatchObject({
      code: 'not_in_room',
    });
  });

  it('reads from the store what the bus lost before a message, and delivers all in order', async () => {
    const bus = new LossyBus();
    const { core, join } = makeCore(new MemoryStore(), new MemoryDirectory('n1'), bus);
    const ada = await join('ada');
    const bob = await join('bob');
    core.say(ada.user, '#general', 'one', false, undefined);
    await settle();
    bus.losing = true;
    core.say(ada.user, '#general', 'two', false, undefined);
    await settle();
    bus.losing = false;
    core.say(ada.user, '#general', 'three', false, undefined);
    await settle();
    expect(bob.inbox.of('message').map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('holds room events for a joiner until its replay is sent, with no gap and no duplicate', async () => {
    const store = new HeldStore();
    const { core, join } = makeCore(store);
    const ada = await join('ada');
    for (let i = 1; i <= 3; i++) core.say(ada.user, '#general', `before${i}`, false, undefined);
    await settle();
    store.hold = true;
    const bobInbox = new Inbox(50);
    const registering = core.register(bobInbox, 'bob');
    await settle();
    // While bob's replay is being read, the room goes on.
    core.say(ada.user, '#general', 'during1', false, undefined);
    core.say(ada.user, '#general', 'during2', false, undefined);
    await settle();
    expect(bobInbox.of('message')).toEqual([]);
    store.hold = false;
    store.release();
    await registering;
    const seen = bobInbox.frames.flatMap((f) =>
      f.type === 'history' ? f.messages : f.type === 'message' ? [f] : [],
    );
    expect(seen.map((m) => m.text)).toEqual([
      'before1',
      'before2',
      'before3',
      'during1',
      'during2',
    ]);
    expect(seen.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const types = bobInbox.frames.map((f) => f.type);
    expect(types.indexOf('history')).toBeLessThan(types.lastIndexOf('message'));
  });

  it('renames a user for everyone who shares a room, and frees the old name', async () => {
    const { core, join } = makeCore();
    const ada = await join('ada');
    const bob = await join('bob');
    expect(await core.nick(bob.user, 'ADA')).toMatchObject({ code: 'name_taken' });
    expect(await core.nick(bob.user, 'robert')).toBeUndefined();
    expect(ada.inbox.of('nick')).toEqual([{ type: 'nick', old: 'bob', name: 'robert' }]);
    expect(bob.inbox.of('nick')).toEqual([{ type: 'nick', old: 'bob', name: 'robert' }]);
    await join('bob');
  });

  it('sends left to the others when a user leaves, never to the one leaving', async () => {
    const { core, join } = makeCore();
    const ada = await join('ada');
    const bob = await join('bob');
    await core.leave(bob.user, 'timeout');
    expect(ada.inbox.of('left')).toMatchObject([
      { name: 'bob', reason: 'timeout', room: '#general' },
    ]);
    expect(bob.inbox.of('left')).toEqual([]);
    expect(await core.dm(ada.user, 'bob', 'there?', false, 'd')).toMatchObject({
      code: 'no_such_user',
    });
    expect(core.userCount).toBe(1);
  });

  it('waits for every unanswered message before settling', async () => {
    const { core, join } = makeCore();
    const ada = await join('ada');
    core.say(ada.user, '#general', 'one', false, 'a');
    core.say(ada.user, '#general', 'two', false, 'b');
    expect(ada.user.unanswered).toBe(2);
    await core.settled(ada.user);
    expect(ada.user.unanswered).toBe(0);
    expect(ada.inbox.of('ack').map((a) => a.ref)).toEqual(['a', 'b']);
  });
});
