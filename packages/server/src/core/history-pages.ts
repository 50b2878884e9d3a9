import type { MessageFrame, NamesFrame, RoomRole } from '@confab/protocol';
import { utf8ByteLength } from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import type { StoredDirect, StoredMessage } from './ports.js';

/** The `message` frame of a stored room message. */
export function messageFrame(stored: StoredMessage): MessageFrame {
  const frame: MessageFrame = {
    type: 'message',
    room: stored.room,
    id: stored.id,
    seq: stored.seq,
    from: stored.from,
    text: stored.text,
    ts: stored.ts,
  };
  if (stored.action) frame.action = true;
  if (stored.reply) frame.reply = stored.reply;
  if (stored.reactions) frame.reactions = stored.reactions;
  if (stored.deletedBy !== undefined) {
    frame.deleted = true;
    frame.deleted_by = stored.deletedBy;
  } else if (stored.edited !== undefined) frame.edited = stored.edited;
  return frame;
}

/** The `message` frame of a kept direct message, as its mailbox's owner sees it. */
export function directFrame(stored: StoredDirect): MessageFrame {
  const frame: MessageFrame = {
    type: 'message',
    id: stored.id,
    from: stored.from,
    to: stored.to,
    text: stored.text,
    ts: stored.ts,
    dseq: stored.dseq,
  };
  if (stored.action) frame.action = true;
  if (stored.reply) frame.reply = stored.reply;
  if (stored.reactions) frame.reactions = stored.reactions;
  if (stored.deletedBy !== undefined) {
    frame.deleted = true;
    frame.deleted_by = stored.deletedBy;
  } else if (stored.edited !== undefined) frame.edited = stored.edited;
  return frame;
}

/** A message frame with its JSON, made once: measured to fit a page, then put in it as it is. */
export interface EncodedMessage {
  frame: MessageFrame;
  json: string;
  /** UTF-8 bytes of `json`. */
  bytes: number;
}

export function encodeMessage(frame: MessageFrame): EncodedMessage {
  const json = JSON.stringify(frame);
  return { frame, json, bytes: utf8ByteLength(json) };
}

/** A page of messages: a room's `history`, or (no room) a `dm_history`. */
export interface PageShape {
  /** The room, or undefined for a page of direct messages. */
  room: string | undefined;
  /** The change number of the room (or mailbox) the page is as of (features `reactions`, `edits`), or none. */
  rev?: number | undefined;
  /** A page around a message: newer messages exist after it. */
  newer?: boolean | undefined;
}

/** The JSON of a page around its messages: what comes before them, and after (with `more`). */
function pageHead(shape: PageShape): string {
  return shape.room === undefined
    ? '{"type":"dm_history","messages":['
    : `{"type":"history","room":${JSON.stringify(shape.room)},"messages":[`;
}

/** The JSON of a page after its `more`: its `rev`, when it has one. */
function pageTail(shape: PageShape): string {
  const rev = shape.rev === undefined ? '' : `,"rev":${shape.rev}`;
  return `${rev}${shape.newer ? ',"newer":true' : ''}}`;
}

/** Bytes a page takes besides its messages (with `"more":false` and the line ending). */
function pageOverhead(shape: PageShape): number {
  return utf8ByteLength(pageHead(shape)) + '],"more":false'.length + pageTail(shape).length + 1;
}

/** The page's frame, its JSON built from the messages' own (no second encoding). */
export function pageOut(shape: PageShape, messages: EncodedMessage[], more: boolean): Outgoing {
  const json = `${pageHead(shape)}${messages.map((m) => m.json).join(',')}],"more":${more}${pageTail(shape)}`;
  const frames = messages.map((m) => m.frame);
  const rev = shape.rev === undefined ? {} : { rev: shape.rev };
  const newer = shape.newer ? { newer: true } : {};
  return new Outgoing(
    shape.room === undefined
      ? { type: 'dm_history', messages: frames, more, ...rev }
      : { type: 'history', room: shape.room, messages: frames, more, ...rev, ...newer },
    json,
  );
}

/**
 * The newest of `messages` (oldest first) that fit one page of
 * `maxFrameBytes`: a page back shows the messages nearest the present.
 * `cut` says how many older ones were left out.
 */
export function newestThatFit(
  shape: PageShape,
  messages: EncodedMessage[],
  maxFrameBytes: number,
): { kept: EncodedMessage[]; cut: number } {
  let budget = maxFrameBytes - pageOverhead(shape);
  let kept = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    // A comma between messages.
    const size = messages[i]!.bytes + 1;
    if (size > budget) break;
    budget -= size;
    kept++;
  }
  return { kept: messages.slice(messages.length - kept), cut: messages.length - kept };
}

/**
 * `messages` (oldest first) cut into consecutive pages that each fit
 * `maxFrameBytes`, in order; one empty page when there are none.
 */
export function packPages(
  shape: PageShape,
  messages: EncodedMessage[],
  maxFrameBytes: number,
): EncodedMessage[][] {
  const capacity = maxFrameBytes - pageOverhead(shape);
  const pages: EncodedMessage[][] = [];
  let page: EncodedMessage[] = [];
  let budget = capacity;
  for (const message of messages) {
    const size = message.bytes + 1;
    if (size > budget && page.length > 0) {
      pages.push(page);
      page = [];
      budget = capacity;
    }
    page.push(message);
    budget -= size;
  }
  pages.push(page);
  return pages;
}

/** How many messages of `averageBytes` fill about one page: the size of the next read of a replay. */
export function messagesPerPage(averageBytes: number, maxFrameBytes: number, most: number): number {
  return Math.max(8, Math.min(most, Math.floor(maxFrameBytes / Math.max(1, averageBytes + 1))));
}

/**
 * A list as frames that each fit `maxFrameBytes`: one frame for all but
 * the longest lists; else several, each but the last with `more: true`, so
 * a client adds them up. `make` builds a frame of a page of items; the
 * bytes of its empty form with `more` are the overhead of every frame.
 */
export function listFrames<T, F>(
  items: readonly T[],
  maxFrameBytes: number,
  make: (page: T[], more: boolean) => F,
  /** An item's bytes in a frame, when it is not its JSON; `reserve`: bytes a page may add besides its items. */
  sizing: { sizeOf?: (item: T) => number; reserve?: number } = {},
): F[] {
  const capacity =
    maxFrameBytes - (utf8ByteLength(JSON.stringify(make([], true))) + 1) - (sizing.reserve ?? 0);
  const sizeOf = sizing.sizeOf ?? ((item: T) => utf8ByteLength(JSON.stringify(item)));
  const frames: F[] = [];
  let page: T[] = [];
  let budget = capacity;
  for (const item of items) {
    // A comma between items.
    const size = sizeOf(item) + 1;
    if (size > budget && page.length > 0) {
      frames.push(make(page, true));
      page = [];
      budget = capacity;
    }
    page.push(item);
    budget -= size;
  }
  frames.push(make(page, false));
  return frames;
}

/**
 * A room's member list as `names` frames that each fit `maxFrameBytes` (see
 * `listFrames`), with the role of each member who has one (`roleOf`).
 */
export function namesFrames(
  room: string,
  names: string[],
  maxFrameBytes: number,
  roleOf: (name: string) => Exclude<RoomRole, 'member'> | undefined = () => undefined,
): NamesFrame[] {
  const members = names.map((name) => ({ name, role: roleOf(name) }));
  return listFrames(
    members,
    maxFrameBytes,
    (page, more) => {
      const roles: Record<string, Exclude<RoomRole, 'member'>> = Object.create(null);
      let anyRole = false;
      for (const { name, role } of page)
        if (role !== undefined) {
          roles[name] = role;
          anyRole = true;
        }
      return {
        type: 'names' as const,
        room,
        names: page.map((member) => member.name),
        ...(more ? { more } : {}),
        ...(anyRole ? { roles } : {}),
      };
    },
    {
      // In `names` as a string, and again as a key of `roles` when it has one.
      sizeOf: ({ name, role }) => {
        const quoted = utf8ByteLength(JSON.stringify(name));
        return role === undefined ? quoted : 2 * quoted + role.length + 4;
      },
      reserve: ',"roles":{}'.length,
    },
  );
}
