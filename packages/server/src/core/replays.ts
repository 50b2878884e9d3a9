import { LIMITS } from '@confab/protocol';
import type { EncodedMessage, PageShape } from './history-pages.js';
import {
  directFrame,
  encodeMessage,
  messageFrame,
  messagesPerPage,
  newestThatFit,
  packPages,
  pageOut,
} from './history-pages.js';
import type { ChatUser } from './people.js';
import type { HistoryStore, PageQuery, ChangeStore, StoredDirect, StoredMessage } from './ports.js';
import type { ChangePlace } from './change-frames.js';
import { updatesAfter, withReactions } from './change-frames.js';

/*
 * Large answers, sent as the reader takes them. Each page waits for the
 * connection to be ready (its queue has room, its address's budget allows
 * another read, everyone else has had a turn), then is read, encoded once,
 * sent and charged. So a reader gets the whole of a replay whatever its
 * size, the server holds at most one read's worth for it, one that stops
 * reading is dropped, and no replay holds the event loop for long.
 */

/** Messages in a resume replay's page, at most. */
export const RESUME_PAGE = LIMITS.maxHistoryLimit;
/**
 * The first read of a replay or a page back: a frame's worth of long
 * messages. A replay's later reads are sized to fill about a frame; a page
 * back's double until a frame is full.
 */
const FIRST_READ = 16;

/** What a replay needs: the stores and the frame limit. */
export interface ReplayContext {
  store: HistoryStore;
  changes: ChangeStore;
  maxFrameBytes: number;
}

/**
 * Who a room's replay is for: the reader (a folded name: its own reactions
 * are marked) and, for a connection that follows changes, the room's
 * `rev` the replay's state is as of.
 */
export interface RoomReader {
  reader: string;
  rev?: number;
}

/** Reads a page of a room's messages, with their reactions as the reader sees them. */
export function roomReader(
  context: ReplayContext,
  roomKey: string,
  reader: string | undefined,
): (query: PageQuery) => Promise<StoredMessage[]> {
  return async (query) =>
    withReactions(context.changes, roomKey, await context.store.page(roomKey, query), reader);
}

/** A replay goes on while this holds (the connection is there, and still in the room). */
export type StillWanted = () => boolean;

/** Sends one page and charges its bytes. */
function sendPage(
  user: ChatUser,
  shape: PageShape,
  messages: EncodedMessage[],
  more: boolean,
): void {
  const out = pageOut(shape, messages, more);
  user.recipient.deliver(out);
  user.recipient.spent(out.line.length);
}

/**
 * One backward page: up to `limit` messages before `before` (or the
 * newest), cut to fit one frame; `more` when older messages exist.
 * Resolves with the highest number sent (0 when none, or the page was not
 * sent). It reads from the newest back in growing chunks and stops once a
 * frame is full, so a page of long messages reads about what it sends, not
 * `limit` messages.
 */
async function backwardPage<T>(
  user: ChatUser,
  shape: PageShape,
  maxFrameBytes: number,
  read: (query: PageQuery) => Promise<T[]>,
  frameOf: (stored: T) => EncodedMessage,
  numberOf: (stored: T) => number,
  before: number | undefined,
  limit: number,
  still: StillWanted,
): Promise<number> {
  if (!(await user.recipient.ready()) || !still()) return 0;
  let stored: T[] = [];
  let encoded: EncodedMessage[] = [];
  let bytes = 0;
  let upTo = before;
  for (let want = Math.min(limit, FIRST_READ); ;) {
    const chunk = await read(upTo === undefined ? { limit: want } : { before: upTo, limit: want });
    const chunkEncoded = chunk.map(frameOf);
    stored = [...chunk, ...stored];
    encoded = [...chunkEncoded, ...encoded];
    for (const message of chunkEncoded) bytes += message.bytes + 1;
    // The start of history, the limit, or a frame's worth: nothing older would be sent.
    if (chunk.length < want || stored.length >= limit || bytes >= maxFrameBytes) break;
    upTo = numberOf(chunk[0]!);
    want = Math.min(limit - stored.length, want * 2);
  }
  const { kept, cut } = newestThatFit(shape, encoded, maxFrameBytes);
  // Numbers have no gaps: an oldest number above 1 means older messages exist.
  const oldest = stored[0] === undefined ? 1 : numberOf(stored[0]);
  sendPage(user, shape, kept, cut > 0 || oldest > 1);
  return stored.length === 0 ? 0 : numberOf(stored.at(-1)!);
}

/**
 * Every message after `after`, oldest first, in pages; each but the last
 * has `more: true`, and the last (even empty) `more: false`. Resolves with
 * the highest number sent.
 */
async function forwardPages<T>(
  user: ChatUser,
  shape: PageShape,
  maxFrameBytes: number,
  read: (query: PageQuery) => Promise<T[]>,
  frameOf: (stored: T) => EncodedMessage,
  numberOf: (stored: T) => number,
  after: number,
  still: StillWanted,
): Promise<number> {
  let last = after;
  let limit = FIRST_READ;
  for (;;) {
    if (!(await user.recipient.ready()) || !still()) return last;
    const stored = await read({ after: last, limit });
    const encoded = stored.map(frameOf);
    const ended = stored.length < limit;
    const pages = packPages(shape, encoded, maxFrameBytes);
    let sent = 0;
    for (let i = 0; i < pages.length; i++) {
      if (i > 0 && (!(await user.recipient.ready()) || !still())) return last;
      const page = pages[i]!;
      sendPage(user, shape, page, !ended || i < pages.length - 1);
      sent += page.length;
      if (sent > 0) last = numberOf(stored[sent - 1]!);
    }
    if (ended) return last;
    const average = encoded.reduce((sum, m) => sum + m.bytes, 0) / encoded.length;
    limit = messagesPerPage(average, maxFrameBytes, RESUME_PAGE);
  }
}

const encodeRoomMessage = (stored: StoredMessage) => encodeMessage(messageFrame(stored));
const encodeDirect = (stored: StoredDirect) => encodeMessage(directFrame(stored));

/** One backward page of a room; `more` when older messages exist. Resolves with the highest seq sent. */
export function replayPage(
  context: ReplayContext,
  user: ChatUser,
  room: { key: string; name: string },
  before: number | undefined,
  limit: number,
  still: StillWanted,
  reader: RoomReader = { reader: user.key },
): Promise<number> {
  return backwardPage(
    user,
    { room: room.name, rev: reader.rev },
    context.maxFrameBytes,
    roomReader(context, room.key, reader.reader),
    encodeRoomMessage,
    (m) => m.seq,
    before,
    limit,
    still,
  );
}

/**
 * The messages around `around` (it included, when kept): up to half the
 * `limit` from it back, the rest after it, cut to fit one frame from the
 * far ends (the one asked about stays). `more`: older messages exist;
 * `newer`: newer ones do. For a message opened in context (a search hit,
 * the original of a reply).
 */
export async function replayAround(
  context: ReplayContext,
  user: ChatUser,
  room: { key: string; name: string },
  around: number,
  limit: number,
  still: StillWanted,
  reader: RoomReader = { reader: user.key },
): Promise<void> {
  if (!(await user.recipient.ready()) || !still()) return;
  const read = roomReader(context, room.key, reader.reader);
  const back = Math.ceil(limit / 2);
  const ahead = limit - back;
  // One more ahead than is sent says whether newer messages exist.
  const [older, after] = await Promise.all([
    read({ before: around + 1, limit: back }),
    read({ after: around, limit: ahead + 1 }),
  ]);
  if (!still()) return;
  const newer = after.slice(0, ahead);
  const encoded = [...older, ...newer].map(encodeRoomMessage);
  const shape = { room: room.name, rev: reader.rev };
  let first = 0;
  let last = encoded.length;
  let cutNewer = false;
  // Past a frame's worth, the message farther from the one asked about goes first.
  while (last - first > 1 && !fits(shape, encoded.slice(first, last), context.maxFrameBytes)) {
    if (older.length - first > last - older.length) first++;
    else {
      last--;
      cutNewer = true;
    }
  }
  const kept = encoded.slice(first, last);
  const oldest = [...older, ...newer][first]?.seq ?? around;
  sendPage(user, { ...shape, newer: cutNewer || after.length > ahead }, kept, oldest > 1);
}

/** Whether these messages fit one page of `maxFrameBytes`. */
function fits(shape: PageShape, messages: EncodedMessage[], maxFrameBytes: number): boolean {
  return newestThatFit(shape, messages, maxFrameBytes).cut === 0;
}

/** A room's resume replay: every message after `after`, in pages; the last has `more: false`. */
export function replayAfter(
  context: ReplayContext,
  user: ChatUser,
  room: { key: string; name: string },
  after: number,
  still: StillWanted,
  reader: RoomReader = { reader: user.key },
): Promise<number> {
  return forwardPages(
    user,
    { room: room.name, rev: reader.rev },
    context.maxFrameBytes,
    roomReader(context, room.key, reader.reader),
    encodeRoomMessage,
    (m) => m.seq,
    after,
    still,
  );
}

/**
 * Reads a page of the mailbox of `user`'s identity, with the reactions of
 * its messages as the identity sees them.
 */
export function mailboxReader(
  context: ReplayContext,
  user: ChatUser,
): (query: PageQuery) => Promise<StoredDirect[]> {
  const owner = user.person.owner;
  return async (query) =>
    withReactions(context.changes, owner, await context.store.pageDirect(owner, query), owner);
}

/**
 * After `welcome`: the newest kept direct messages (`more`: older ones
 * exist), as of the mailbox's change number `rev` (for a connection that
 * follows changes). Resolves with the highest dseq.
 */
export function replayLatestDirects(
  context: ReplayContext,
  user: ChatUser,
  still: StillWanted,
  rev?: number,
): Promise<number> {
  return backwardPage(
    user,
    { room: undefined, rev },
    context.maxFrameBytes,
    mailboxReader(context, user),
    encodeDirect,
    (m) => m.dseq,
    undefined,
    LIMITS.joinReplay,
    still,
  );
}

/** A mailbox's resume replay: every kept direct message after `after`, in pages; the last has `more: false`. */
export function replayDirectsAfter(
  context: ReplayContext,
  user: ChatUser,
  after: number,
  still: StillWanted,
  rev?: number,
): Promise<number> {
  return forwardPages(
    user,
    { room: undefined, rev },
    context.maxFrameBytes,
    mailboxReader(context, user),
    encodeDirect,
    (m) => m.dseq,
    after,
    still,
  );
}

/**
 * A resume's first part, for a connection that follows changes: an
 * `update` for each message of the room (or mailbox) it has (numbered at
 * or below `upTo`) changed after `rev`, in the order of their last change,
 * at the reader's pace, as `reader` sees it. Resolves with the last rev read.
 */
export async function replayUpdates(
  context: ReplayContext,
  user: ChatUser,
  place: ChangePlace,
  rev: number,
  upTo: number,
  reader: string,
  still: StillWanted,
): Promise<number> {
  let last = rev;
  for (;;) {
    if (!(await user.recipient.ready()) || !still()) return last;
    const { read, more, updates } = await updatesAfter(
      context,
      place,
      last,
      reader,
      (changed) => changed.seq <= upTo,
    );
    let bytes = 0;
    for (const { out } of updates) {
      user.recipient.deliver(out);
      bytes += out.line.length;
    }
    user.recipient.spent(bytes);
    last = read;
    if (!more) return last;
  }
}
