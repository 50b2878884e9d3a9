import type {
  ChatClientOptions,
  ClientClock,
  ClientFrame,
  Connect,
  MessageFrame,
  RawFrame,
  ServerFrame,
  TransportHandlers,
} from '../src/index.js';
import { ChatClient, foldName, validateClientFrame } from '../src/index.js';

/*
 * An in-memory stand-in for a Confab server, just enough of the protocol to
 * drive the client core: hello (with resume), say, dm, join, quit. Frames
 * cross a microtask in each direction, as they would cross a socket.
 */

interface Link {
  name: string | undefined;
  /** The guest key it came with: its direct messages are kept under it. */
  guest?: string;
  handlers: TransportHandlers;
  open: boolean;
  /** While false, frames from the server to this link are lost (a dead peer). */
  deliver: boolean;
}

export class FakeServer {
  readonly links = new Set<Link>();
  readonly rooms = new Map<string, MessageFrame[]>([['#general', []]]);
  /** Kept direct messages, by guest key. */
  readonly mailboxes = new Map<string, MessageFrame[]>();
  /** Every frame the server received, in order. */
  readonly received: ClientFrame[] = [];
  /** When set, the server neither reads nor writes: a hung peer. */
  frozen = false;
  /** When set, acks are not sent (to test a lost ack). */
  dropAcks = false;
  /** Refuse this many hellos with `unavailable` (the cluster is out of reach). */
  unavailableHellos = 0;
  /** Refuse room messages with `unavailable` (the store is out of reach). */
  storeDown = false;
  private nextId = 1;

  connect: Connect = (handlers) => {
    const link: Link = { name: undefined, handlers, open: true, deliver: true };
    this.links.add(link);
    queueMicrotask(() => link.open && handlers.open());
    return {
      send: (frame) => queueMicrotask(() => link.open && !this.frozen && this.receive(link, frame)),
      close: () => this.close(link),
    };
  };

  /** Cuts a user's link without a handshake (network loss). */
  drop(name: string): void {
    for (const link of this.links) if (link.name === name) this.close(link);
  }

  /** Ends every link from the server's side: its `quit` (with a reason), then the close. */
  quitAll(reason: string): void {
    for (const link of [...this.links]) {
      this.send(link, { type: 'quit', reason });
      queueMicrotask(() => this.close(link));
    }
  }

  /** Sends a frame, as the server would, to every registered connection. */
  tell(frame: ServerFrame): void {
    for (const link of this.links) if (link.name) this.send(link, frame);
  }

  /** A message stored and broadcast by the server itself, as if sent by `from`. */
  post(from: string, text: string, room = '#general'): MessageFrame {
    const history = this.rooms.get(room)!;
    const message: MessageFrame = {
      type: 'message',
      id: `m${this.nextId++}`,
      room,
      seq: history.length + 1,
      from,
      text,
      ts: 1000 + history.length,
    };
    history.push(message);
    for (const link of this.links) if (link.name) this.send(link, message);
    return message;
  }

  /** A direct message as `link` gets it: kept (with its dseq) when the link came with a guest key. */
  private keep(link: Link, message: MessageFrame): MessageFrame {
    if (link.guest === undefined) return message;
    const mailbox = this.mailboxes.get(link.guest) ?? [];
    this.mailboxes.set(link.guest, mailbox);
    const kept = { ...message, dseq: mailbox.length + 1 };
    mailbox.push(kept);
    return kept;
  }

  private close(link: Link): void {
    if (!link.open) return;
    link.open = false;
    this.links.delete(link);
    queueMicrotask(() => link.handlers.close());
  }

  private send(link: Link, frame: ServerFrame): void {
    if (!link.deliver || this.frozen) return;
    const copy = JSON.parse(JSON.stringify(frame)) as RawFrame;
    queueMicrotask(() => link.open && link.handlers.frame(copy));
  }

  private receive(link: Link, raw: ClientFrame): void {
    const result = validateClientFrame(JSON.parse(JSON.stringify(raw)) as RawFrame);
    if (!result.ok) return this.send(link, { type: 'error', ...result.error });
    const frame = result.frame;
    this.received.push(frame);
    switch (frame.type) {
      case 'hello': {
        if (this.unavailableHellos > 0) {
          this.unavailableHellos--;
          return this.send(link, {
            type: 'error',
            code: 'unavailable',
            message: 'the chat cannot reach its cluster right now',
          });
        }
        const taken = [...this.links].some(
          (l) => l !== link && l.name && foldName(l.name) === foldName(frame.name),
        );
        if (taken)
          return this.send(link, { type: 'error', code: 'name_taken', message: 'name taken' });
        link.name = frame.name;
        this.send(link, {
          type: 'welcome',
          version: 1,
          name: frame.name,
          text: 'Welcome: write <quit> to leave',
          rooms: ['#general'],
          server: 'fake',
        });
        this.send(link, {
          type: 'names',
          room: '#general',
          names: [...this.links].filter((l) => l.name).map((l) => l.name!),
        });
        const history = this.rooms.get('#general')!;
        const after = frame.resume?.['#general'];
        const messages =
          after === undefined ? history.slice(-50) : history.filter((m) => m.seq! > after);
        this.send(link, { type: 'history', room: '#general', messages, more: false });
        if (frame.guest !== undefined) {
          link.guest = frame.guest;
          const kept = this.mailboxes.get(frame.guest) ?? [];
          const since = frame.dseq;
          this.send(link, {
            type: 'dm_history',
            messages: since === undefined ? kept.slice(-50) : kept.filter((m) => m.dseq! > since),
            more: false,
          });
        }
        return;
      }
      case 'dm': {
        const to = [...this.links].find((l) => l.name && foldName(l.name) === foldName(frame.to));
        if (!to) return this.send(link, { type: 'error', code: 'no_such_user', message: 'gone' });
        const message: MessageFrame = {
          type: 'message',
          id: `m${this.nextId++}`,
          from: link.name!,
          to: to.name!,
          text: frame.text,
          ts: 2000 + this.nextId,
        };
        for (const end of new Set([to, link])) this.send(end, this.keep(end, message));
        if (frame.ref !== undefined && !this.dropAcks)
          this.send(link, { type: 'ack', ref: frame.ref, id: message.id, ts: message.ts });
        return;
      }
      case 'say': {
        if (this.storeDown)
          return this.send(link, {
            type: 'error',
            code: 'unavailable',
            message: 'the message could not be stored right now',
            ...(frame.ref === undefined ? {} : { ref: frame.ref }),
          });
        const message = this.post(link.name!, frame.text, frame.room);
        if (frame.ref !== undefined && !this.dropAcks)
          this.send(link, {
            type: 'ack',
            ref: frame.ref,
            id: message.id,
            seq: message.seq!,
            ts: message.ts,
          });
        return;
      }
      case 'who':
        return this.send(link, {
          type: 'names',
          room: frame.room,
          names: [...this.links].filter((l) => l.name).map((l) => l.name!),
        });
      case 'quit':
        this.send(link, { type: 'quit' });
        this.close(link);
        return;
      default:
        return;
    }
  }
}

/** A clock whose time moves only when a test says so. */
export class ManualClock implements ClientClock {
  time = 1_000_000;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextHandle = 1;

  now = () => this.time;
  random = () => 0.5;
  setTimer = (ms: number, callback: () => void) => {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, callback });
    return handle;
  };
  clearTimer = (handle: unknown) => {
    this.timers.delete(handle as number);
  };

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

/** Lets queued microtasks (frames in flight) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * A client of `server` as `name`, started and settled (registered): a
 * long keepalive, and `options` besides (a guest key, settings).
 */
export async function startedClient(
  server: FakeServer,
  name: string,
  clock: ClientClock,
  options: Partial<ChatClientOptions> = {},
): Promise<ChatClient> {
  const client = new ChatClient({
    connect: server.connect,
    name,
    clock,
    keepaliveMs: 60_000,
    ...options,
  });
  client.start();
  await settle();
  return client;
}
