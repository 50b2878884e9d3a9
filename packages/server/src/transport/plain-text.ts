import type { LineSink, RawFrame } from '@confab/protocol';
import {
  DEFAULT_ROOM,
  LineDecoder,
  QUIT_WORD,
  foldName,
  foldRoom,
  parseInput,
} from '@confab/protocol';
import { Outgoing } from '../core/outgoing.js';
import type { Connection } from './connection.js';
import { PlainLogin } from './plain-login.js';
import { SLOW_CONSUMER_BYTES, terminalBytes } from './plain-notices.js';
import type { PlainView } from './plain-render.js';
import { renderPlain } from './plain-render.js';
import type { StreamTransportContext } from './socket-connection.js';
import { SocketConnection } from './socket-connection.js';

const IN_ROOM = Outgoing.slot<Uint8Array>();
const ELSEWHERE = Outgoing.slot<Uint8Array>();
const renderInRoom = (out: Outgoing) =>
  terminalBytes(
    renderPlain(out.frame, { name: undefined, room: (out.frame as { room: string }).room }),
  );
const renderElsewhere = (out: Outgoing) =>
  terminalBytes(renderPlain(out.frame, { name: undefined, room: '' }));

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Plain text for people on `nc` or `telnet`: the first line is the name,
 * later lines are messages or `/commands` (the shared input parser), and
 * every frame comes back as a readable line with remote text made inert.
 * It translates lines to frames and back; the session does the rest.
 */
export class PlainTextConnection extends SocketConnection implements Connection, LineSink {
  readonly kind = 'plain' as const;
  protected readonly slowConsumerNotice = SLOW_CONSUMER_BYTES;
  private readonly lines: LineDecoder;
  private readonly view: PlainView = { name: undefined, room: DEFAULT_ROOM };
  /** Rooms the user is in, most recently joined last: `/part` of the current room falls back on the one before. */
  private rooms: string[] = [];
  /** Rooms (folded) whose state was shown since the user joined them: later changes are told by their own lines. */
  private readonly roomsShown = new Set<string>();
  /** The name (and password) before the person is in; later lines are chat, handled after it. */
  private readonly login = new PlainLogin();
  /** By room (folded): the id of the last message this connection said there, what `/edit` and `/delete` act on. */
  private readonly lastSaid = new Map<string, string>();

  constructor(
    socket: ConstructorParameters<typeof SocketConnection>[0],
    context: StreamTransportContext,
  ) {
    super(socket, context);
    this.lines = new LineDecoder({ maxFrameBytes: context.maxFrameBytes });
  }

  protected decode(chunk: Buffer): void {
    this.lines.push(chunk, this);
  }

  /** @internal A complete line. */
  line(bytes: Uint8Array): void {
    this.receiveLine(bytes);
  }

  /** @internal A line over the limit. */
  tooLarge(): void {
    this.handler!.decodeError({
      code: 'frame_too_large',
      message: `a line must be at most ${this.context.maxFrameBytes} bytes`,
    });
  }

  send(out: Outgoing): void {
    const frame = out.frame;
    if (frame.type === 'message' && frame.room !== undefined) {
      if (this.isSelf(frame.from) && frame.seq !== undefined)
        this.lastSaid.set(foldRoom(frame.room), frame.id);
      // A room message reads one of two ways: in the reader's current room or
      // not. Each broadcast renders each way once for all plain readers.
      const here = foldRoom(frame.room) === foldRoom(this.view.room);
      this.queue(out.encoded(here ? IN_ROOM : ELSEWHERE, here ? renderInRoom : renderElsewhere));
      return;
    }
    this.track(frame);
    if (frame.type === 'room') {
      const key = foldRoom(frame.room);
      if (this.roomsShown.has(key)) return;
      this.roomsShown.add(key);
    }
    const lines = renderPlain(frame, this.view);
    // A refused hello: the talk before the person is in goes on.
    if (frame.type === 'error' && this.view.name === undefined && !this.login.expectsLine)
      lines.push(...this.login.refused(frame));
    if (lines.length === 0) return;
    this.queue(terminalBytes(lines));
  }

  /** Keeps the reader's name and current room in step with what the server says. */
  private track(frame: Outgoing['frame']): void {
    switch (frame.type) {
      case 'welcome':
        this.view.name = frame.name;
        this.rooms = [...frame.rooms];
        this.view.room = frame.rooms[0] ?? DEFAULT_ROOM;
        break;
      case 'nick':
        if (this.isSelf(frame.old)) this.view.name = frame.name;
        break;
      case 'joined':
        if (this.isSelf(frame.name)) {
          this.rooms = [
            ...this.rooms.filter((r) => foldRoom(r) !== foldRoom(frame.room)),
            frame.room,
          ];
          this.view.room = frame.room;
        }
        break;
      case 'left':
        if (this.isSelf(frame.name)) {
          this.roomsShown.delete(foldRoom(frame.room));
          this.lastSaid.delete(foldRoom(frame.room));
          this.rooms = this.rooms.filter((r) => foldRoom(r) !== foldRoom(frame.room));
          if (foldRoom(frame.room) === foldRoom(this.view.room))
            this.view.room = this.rooms.at(-1) ?? DEFAULT_ROOM;
        }
        break;
      default:
        break;
    }
  }

  private isSelf(name: string): boolean {
    return this.view.name !== undefined && foldName(name) === foldName(this.view.name);
  }

  private receiveLine(bytes: Uint8Array): void {
    const handler = this.handler!;
    let line: string;
    try {
      line = utf8.decode(bytes);
    } catch {
      this.say('! That line was not UTF-8; it was dropped.');
      return;
    }
    const frame = this.frameFor(line);
    if (frame) {
      this.context.stats.framesIn++;
      handler.frame(frame);
    }
  }

  /** The frame a line stands for, or undefined when it was answered here. */
  private frameFor(line: string): RawFrame | undefined {
    if (line.trim() === QUIT_WORD) return { type: 'quit' };
    if (this.view.name === undefined && this.login.expectsLine) {
      const hello = this.login.line(line);
      if (!Array.isArray(hello)) return hello;
      for (const text of hello) this.say(text);
      return undefined;
    }
    const action = parseInput(line, { room: this.view.room });
    switch (action.kind) {
      case 'send':
        return action.frame as unknown as RawFrame;
      case 'quit':
        return action.reason === undefined
          ? { type: 'quit' }
          : { type: 'quit', reason: action.reason };
      case 'help':
        this.say(action.text);
        return undefined;
      case 'error':
        this.say(`! ${action.message}`);
        return undefined;
      case 'edit':
      case 'delete':
        return this.changeLastSaid(action);
      case 'reply':
      case 'react':
        // They point at messages on a screen: plain text has none.
        this.say(
          `! /${action.kind} is for Confab's clients: plain text has no messages to point at.`,
        );
        return undefined;
      case 'typing':
      case 'notify':
      case 'highlight':
        // They set a client's own behaviour: plain text has no client of its own.
        this.say(`! /${action.kind} is a setting of Confab's clients, not of plain text.`);
        return undefined;
      case 'none':
        return undefined;
    }
  }

  /**
   * `/edit text` and `/delete` in plain text: on the last message this
   * connection said in its current room (it has no messages on a screen
   * to count back through).
   */
  private changeLastSaid(action: { kind: 'edit' | 'delete'; back?: number; text?: string }) {
    const room = this.view.room;
    const id = this.lastSaid.get(foldRoom(room));
    if (action.back !== undefined)
      this.say(
        `! Plain text ${action.kind}s only your last message here: /${action.kind}${action.kind === 'edit' ? ' new text' : ''}.`,
      );
    else if (id === undefined) this.say(`! You have said nothing in ${room} to ${action.kind}.`);
    else if (action.kind === 'delete') return { type: 'delete', room, id };
    else if (action.text === undefined) this.say('! Write the new text after it: /edit new text.');
    else return { type: 'edit', room, id, text: action.text };
    return undefined;
  }

  private say(text: string): void {
    this.output.write(terminalBytes([text]));
  }
}
