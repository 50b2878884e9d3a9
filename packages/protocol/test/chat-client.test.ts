import { describe, expect, it } from 'vitest';
import type { ClientEvent, MessageEntry } from '../src/index.js';
import { ChatClient, ChatModel, LIMITS, targetKey } from '../src/index.js';
import { FakeServer, ManualClock, settle } from './fake-server.js';

function texts(client: ChatClient, room = '#general'): string[] {
  return client.model
    .room(room)!
    .entries.filter((e): e is MessageEntry => e.kind === 'message')
    .map((e) => e.text);
}

async function connected(server: FakeServer, name: string, clock = new ManualClock()) {
  const client = new ChatClient({ connect: server.connect, name, clock, keepaliveMs: 60_000 });
  const events: ClientEvent[] = [];
  client.subscribe((e) => events.push(e));
  client.start();
  await settle();
  return { client, clock, events };
}

describe('ChatClient', () => {
  it('registers, shows the welcome, the members and the replayed history', async () => {
    const server = new FakeServer();
    server.post('bob', 'earlier');
    const { client } = await connected(server, 'ada');
    expect(client.status).toBe('registered');
    expect(client.model.name).toBe('ada');
    expect(client.model.room('#general')!.members).toEqual(['ada']);
    expect(texts(client)).toEqual(['earlier']);
    const welcome = client.model.room('#general')!.entries.find((e) => e.kind === 'system');
    expect(welcome).toMatchObject({ text: 'Welcome: write <quit> to leave' });
    // The replayed message is older than the welcome: it is shown above it.
    expect(client.model.room('#general')!.entries.map((e) => e.kind)).toEqual([
      'message',
      'system',
    ]);
  });

  it('shows a writer until they stop, their message comes, they leave, or the time runs out', async () => {
    const server = new FakeServer();
    const { client, clock } = await connected(server, 'ada');
    const key = targetKey({ kind: 'room', room: '#general' });
    const typing = async (name: string, stopped = false) => {
      server.tell({ type: 'typing', name, room: '#general', ...(stopped ? { stopped } : {}) });
      await settle();
    };
    await typing('bob');
    await typing('cy');
    await typing('dee');
    await typing('eve');
    expect(client.typingIn(key)).toEqual(['bob', 'cy', 'dee', 'eve']);
    await typing('bob', true);
    server.post('cy', 'done');
    server.tell({ type: 'left', room: '#general', name: 'dee', ts: clock.now(), reason: 'quit' });
    await settle();
    expect(client.typingIn(key)).toEqual(['eve']);
    clock.advance(LIMITS.typingShowMs);
    expect(client.typingIn(key)).toEqual([]);
  });

  it('answers /who with a line listing the room’s members', async () => {
    const server = new FakeServer();
    const { client } = await connected(server, 'ada');
    await connected(server, 'bob');
    client.submit('/who');
    await settle();
    expect(server.received.at(-1)).toEqual({ type: 'who', room: '#general' });
    expect(client.model.room('#general')!.entries.at(-1)).toMatchObject({
      kind: 'system',
      tone: 'info',
      text: 'In #general (2): ada, bob',
    });
    // The names that come with registering added no such line.
    expect(
      client.model.room('#general')!.entries.filter((e) => e.text.startsWith('In #general')),
    ).toHaveLength(1);
  });

  it('with a guest key, gets its kept direct messages back, and sends again only what was not kept', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    const client = new ChatClient({
      connect: server.connect,
      name: 'ada',
      clock,
      keepaliveMs: 60_000,
      guestKey: 'ada-guest-key-0123456789',
    });
    client.start();
    await settle();
    await connected(server, 'bob');
    client.submit('/msg bob kept one');
    await settle();
    expect(client.model.lastDseq).toBe(1);
    // The next is kept by the server, but its ack is lost with the link.
    server.dropAcks = true;
    client.submit('/msg bob kept two');
    await settle();
    server.drop('ada');
    await settle();
    // And one is sent while the link is down (never reaches the server).
    server.dropAcks = false;
    clock.advance(60_000);
    await settle();
    const hellos = server.received.filter((f) => f.type === 'hello');
    expect(hellos.at(-1)).toMatchObject({ guest: 'ada-guest-key-0123456789', dseq: 2 });
    const dms = server.received
      .filter((f) => f.type === 'dm')
      .map((f) => (f as { text: string }).text);
    // "kept two" was in the mailbox (its echo came with the link): it is not sent twice.
    expect(dms).toEqual(['kept one', 'kept two']);
    const conversation = client.model.conversations.get(targetKey({ kind: 'dm', peer: 'bob' }))!;
    expect(conversation.entries.filter((e) => e.kind === 'message').map((e) => e.text)).toEqual([
      'kept one',
      'kept two',
    ]);
  });

  it('comes back under the name it took with /nick, after a lost link', async () => {
    const server = new FakeServer();
    const { clock } = await connected(server, 'ada');
    for (const link of server.links)
      link.handlers.frame({ type: 'nick', old: 'ada', name: 'ada2' });
    await settle();
    server.drop('ada');
    await settle();
    clock.advance(60_000);
    await settle();
    expect(server.received.filter((f) => f.type === 'hello').at(-1)).toMatchObject({
      name: 'ada2',
    });
  });

  it('moves a direct conversation to the peer’s new name, keeping its place and entries', () => {
    const model = new ChatModel();
    model.setName('ada');
    model.ensureRoom('#general');
    model.applyMessage({ type: 'message', id: 'd1', from: 'cal', to: 'ada', text: 'hi', ts: 1 });
    model.openDm('zed');
    model.setCurrent(targetKey({ kind: 'dm', peer: 'cal' }));
    model.applyNick('cal', 'cal2', 2);
    expect([...model.conversations.values()].map((c) => c.title)).toEqual([
      '#general',
      'cal2',
      'zed',
    ]);
    expect(model.currentKey).toBe(targetKey({ kind: 'dm', peer: 'cal2' }));
    const moved = model.current()!;
    expect(moved.target).toEqual({ kind: 'dm', peer: 'cal2' });
    expect(moved.entries.map((e) => e.text)).toEqual(['hi', 'cal is now known as cal2']);
    expect(model.conversations.has(targetKey({ kind: 'dm', peer: 'cal' }))).toBe(false);
  });

  it('sends what the user types and matches the ack', async () => {
    const server = new FakeServer();
    const { client } = await connected(server, 'ada');
    client.submit('hello all');
    await settle();
    expect(server.received.at(-1)).toEqual({
      type: 'say',
      room: '#general',
      text: 'hello all',
      ref: '1',
    });
    expect(texts(client)).toEqual(['hello all']);
    expect(client.model.room('#general')!.lastSeq).toBe(1);
  });

  it('reconnects after a lost link and resumes with no gap and no duplicate', async () => {
    const server = new FakeServer();
    const { client, clock, events } = await connected(server, 'ada');
    server.post('bob', 'one');
    server.post('bob', 'two');
    await settle();
    server.drop('ada');
    await settle();
    expect(client.status).toBe('reconnecting');
    expect(client.reconnectAt).toBeGreaterThan(clock.now());
    server.post('bob', 'three');
    server.post('bob', 'four');
    clock.advance(60_000);
    await settle();
    expect(client.status).toBe('registered');
    const hello = server.received.filter((f) => f.type === 'hello').at(-1);
    expect(hello).toMatchObject({ resume: { '#general': 2 } });
    expect(texts(client)).toEqual(['one', 'two', 'three', 'four']);
    server.post('bob', 'five');
    await settle();
    expect(texts(client)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(
      events.filter((e) => e.type === 'status').map((e) => (e as { status: string }).status),
    ).toContain('reconnecting');
    // The log says the link dropped and came back, once each; the greeting is not repeated.
    const lines = client.model
      .room('#general')!
      .entries.filter((e) => e.kind === 'system')
      .map((e) => e.text);
    expect(lines).toEqual([
      'Welcome: write <quit> to leave',
      'Connection lost; reconnecting…',
      'Reconnected',
    ]);
  });

  it('says the server is restarting rather than that the link was lost, once per conversation', async () => {
    const server = new FakeServer();
    const { client, clock } = await connected(server, 'ada');
    await connected(server, 'bob');
    client.submit('/msg bob hi');
    await settle();
    server.quitAll('server_shutdown');
    await settle();
    clock.advance(60_000);
    await settle();
    expect(client.status).toBe('registered');
    for (const conversation of client.model.conversations.values()) {
      const lines = conversation.entries.filter((e) => e.kind === 'system').map((e) => e.text);
      expect(lines.slice(-2), conversation.title).toEqual([
        'The server is restarting or shutting down; reconnecting…',
        'Reconnected',
      ]);
    }
  });

  it('sends again a message whose ack was lost only if its echo is not in the replay', async () => {
    const server = new FakeServer();
    const { client, clock } = await connected(server, 'ada');
    server.dropAcks = true;
    client.submit('stored but unacked');
    await settle();
    server.dropAcks = false;
    server.drop('ada');
    // Written into the link as it died: it never reaches the server.
    client.submit('lost in the drop');
    await settle();
    clock.advance(60_000);
    await settle();
    // The stored one is not sent twice; the lost one is sent again, once.
    const says = server.received
      .filter((f) => f.type === 'say')
      .map((f) => (f as { text: string }).text);
    expect(says).toEqual(['stored but unacked', 'lost in the drop']);
    expect(texts(client)).toEqual(['stored but unacked', 'lost in the drop']);
  });

  it('asks for another name when the name is taken, on the same link', async () => {
    const server = new FakeServer();
    await connected(server, 'ada');
    const { client, events } = await connected(server, 'ADA');
    expect(client.status).toBe('awaiting_name');
    expect(events).toContainEqual({
      type: 'name_rejected',
      code: 'name_taken',
      message: 'name taken',
    });
    client.retryName('bob');
    await settle();
    expect(client.status).toBe('registered');
    expect(client.model.name).toBe('bob');
  });

  it('says which message was not sent when the server refuses it', async () => {
    const server = new FakeServer();
    const { client } = await connected(server, 'ada');
    server.storeDown = true;
    client.submit('a rather long message that will not fit in the notice at all');
    await settle();
    const notices = client.model
      .room('#general')!
      .entries.filter((e) => e.kind === 'system' && e.tone === 'error')
      .map((e) => e.text);
    expect(notices).toEqual([
      'Not sent: “a rather long message that will not fit…”: the message could not be stored right now',
    ]);
  });

  it('sends hello again after a backoff while the server is unavailable', async () => {
    const server = new FakeServer();
    server.unavailableHellos = 2;
    const { client, clock } = await connected(server, 'ada');
    expect(client.status).toBe('awaiting_welcome');
    expect(server.received.filter((f) => f.type === 'hello')).toHaveLength(1);
    clock.advance(60_000);
    await settle();
    clock.advance(60_000);
    await settle();
    expect(client.status).toBe('registered');
    expect(server.received.filter((f) => f.type === 'hello')).toHaveLength(3);
    expect(server.links.size).toBe(1);
  });

  it('runs the <quit> handshake and ends without reconnecting', async () => {
    const server = new FakeServer();
    const { client, events, clock } = await connected(server, 'ada');
    client.submit('<quit>');
    await settle();
    expect(server.received.at(-1)).toEqual({ type: 'quit' });
    expect(client.status).toBe('closed');
    expect(events.at(-1)).toEqual({ type: 'ended', reason: 'user' });
    clock.advance(60_000);
    await settle();
    expect(server.links.size).toBe(0);
  });

  it('closes by itself when the server does not answer quit within 2 s', async () => {
    const server = new FakeServer();
    const { client, clock } = await connected(server, 'ada');
    server.frozen = true;
    client.quit();
    await settle();
    expect(client.status).toBe('quitting');
    clock.advance(1_999);
    expect(client.status).toBe('quitting');
    clock.advance(1);
    expect(client.status).toBe('closed');
  });

  it('counts unread messages and mentions outside the current room', async () => {
    const server = new FakeServer();
    server.rooms.set('#other', []);
    const { client } = await connected(server, 'ada');
    client.model.ensureRoom('#other');
    server.post('bob', 'hey @ada look', '#other');
    server.post('bob', 'adam is not you', '#other');
    await settle();
    const other = client.model.room('#other')!;
    expect(other.unread).toBe(2);
    expect(other.mentions).toBe(1);
    client.show({ kind: 'room', room: '#other' });
    expect(other.unread).toBe(0);
  });

  it('ends as unreachable when the first link fails, instead of retrying in silence', async () => {
    const clock = new ManualClock();
    const client = new ChatClient({
      name: 'ada',
      clock,
      connect: (handlers) => {
        queueMicrotask(() => handlers.close({ error: 'connection refused' }));
        return { send: () => undefined, close: () => undefined };
      },
    });
    const events: ClientEvent[] = [];
    client.subscribe((e) => events.push(e));
    client.start();
    await settle();
    expect(client.status).toBe('closed');
    expect(events.at(-1)).toEqual({
      type: 'ended',
      reason: 'unreachable',
      message: 'connection refused',
    });
  });

  it('explains a malformed command without sending anything', async () => {
    const server = new FakeServer();
    const { client } = await connected(server, 'ada');
    const before = server.received.length;
    expect(client.submit('/join not a room').kind).toBe('error');
    await settle();
    expect(server.received.length).toBe(before);
    expect(client.model.room('#general')!.entries.at(-1)).toMatchObject({
      kind: 'system',
      tone: 'error',
    });
  });
});
