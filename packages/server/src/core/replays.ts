import type { ServerFrame } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { dmHistoryFrame, fitDirectPage, fitHistoryPage, historyFrame } from './history-pages.js';
import type { ChatUser, LocalRoom } from './people.js';
import type { HistoryStore } from './ports.js';

/** Messages replayed per page on resume. */
export const RESUME_PAGE = LIMITS.maxHistoryLimit;

/** What a replay needs: the store, the frame limit, and a way to reach the connection. */
export interface ReplayContext {
  store: HistoryStore;
  maxFrameBytes: number;
  send(user: ChatUser, frame: ServerFrame): void;
  /** Whether the connection is still there (a long replay stops when it is gone). */
  isRegistered(user: ChatUser): boolean;
}

/** One backward page of a room; `more` when older messages exist. Resolves with the highest seq sent. */
export async function replayPage(
  context: ReplayContext,
  user: ChatUser,
  room: LocalRoom,
  before: number | undefined,
  limit: number,
): Promise<number> {
  const stored = await context.store.page(
    room.key,
    before === undefined ? { limit } : { before, limit },
  );
  const { frames, cut } = fitHistoryPage(room.name, stored, context.maxFrameBytes, 'newest');
  // Seqs have no gaps: an oldest seq above 1 means older messages exist.
  const more = cut > 0 || (stored[0]?.seq ?? 1) > 1;
  context.send(user, historyFrame(room.name, frames, more));
  return stored.at(-1)?.seq ?? 0;
}

/** A room's resume replay: every message after `after`, in pages; the last has `more: false`. */
export async function replayAfter(
  context: ReplayContext,
  user: ChatUser,
  room: LocalRoom,
  after: number,
): Promise<number> {
  let last = after;
  for (;;) {
    const stored = await context.store.page(room.key, { after: last, limit: RESUME_PAGE });
    const { frames, cut } = fitHistoryPage(room.name, stored, context.maxFrameBytes, 'oldest');
    const more = cut > 0 || stored.length === RESUME_PAGE;
    context.send(user, historyFrame(room.name, frames, more));
    last = frames.at(-1)?.seq ?? last;
    if (!more || !context.isRegistered(user)) return last;
  }
}

/** After `welcome`: the newest kept direct messages (`more`: older ones exist). Resolves with the highest dseq. */
export async function replayLatestDirects(context: ReplayContext, user: ChatUser): Promise<number> {
  const stored = await context.store.pageDirect(user.person.owner, { limit: LIMITS.joinReplay });
  const { frames, cut } = fitDirectPage(stored, context.maxFrameBytes, 'newest');
  const more = cut > 0 || (stored[0]?.dseq ?? 1) > 1;
  context.send(user, dmHistoryFrame(frames, more));
  return stored.at(-1)?.dseq ?? 0;
}

/** A mailbox's resume replay: every kept direct message after `after`, in pages; the last has `more: false`. */
export async function replayDirectsAfter(
  context: ReplayContext,
  user: ChatUser,
  after: number,
): Promise<number> {
  let last = after;
  for (;;) {
    const stored = await context.store.pageDirect(user.person.owner, {
      after: last,
      limit: RESUME_PAGE,
    });
    const { frames, cut } = fitDirectPage(stored, context.maxFrameBytes, 'oldest');
    const more = cut > 0 || stored.length === RESUME_PAGE;
    context.send(user, dmHistoryFrame(frames, more));
    last = frames.at(-1)?.dseq ?? last;
    if (!more || !context.isRegistered(user)) return last;
  }
}
