import type { DmHistoryFrame, HistoryFrame, MessageFrame } from '@confab/protocol';
import { utf8ByteLength } from '@confab/protocol';
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
  return frame;
}

// Bytes of `{"type":"history","room":"…","messages":[],"more":false}\n`
// around the messages, with room to spare for the room name.
const PAGE_OVERHEAD = 64 + 64;

/**
 * Builds a `history` frame from messages (oldest first) that fits in
 * `maxFrameBytes`. When they do not all fit, the page keeps the newest that
 * do (`keep: 'newest'`, a page back) or the oldest (`keep: 'oldest'`, a
 * resume replay), and `cut` says how many were left out.
 */
export function fitHistoryPage(
  room: string,
  messages: StoredMessage[],
  maxFrameBytes: number,
  keep: 'newest' | 'oldest',
): { frames: MessageFrame[]; cut: number } {
  return fitPage(messages.map(messageFrame), maxFrameBytes, keep);
}

/** The same for a page of kept direct messages (`dm_history`). */
export function fitDirectPage(
  messages: StoredDirect[],
  maxFrameBytes: number,
  keep: 'newest' | 'oldest',
): { frames: MessageFrame[]; cut: number } {
  return fitPage(messages.map(directFrame), maxFrameBytes, keep);
}

function fitPage(
  frames: MessageFrame[],
  maxFrameBytes: number,
  keep: 'newest' | 'oldest',
): { frames: MessageFrame[]; cut: number } {
  let budget = maxFrameBytes - PAGE_OVERHEAD;
  let kept = 0;
  const order = keep === 'newest' ? [...frames].reverse() : frames;
  for (const frame of order) {
    // A comma between messages, and JSON escapes counted exactly.
    const size = utf8ByteLength(JSON.stringify(frame)) + 1;
    if (size > budget) break;
    budget -= size;
    kept++;
  }
  if (kept === frames.length) return { frames, cut: 0 };
  const fitted = keep === 'newest' ? frames.slice(frames.length - kept) : frames.slice(0, kept);
  return { frames: fitted, cut: frames.length - kept };
}

/** A `history` frame. */
export function historyFrame(room: string, messages: MessageFrame[], more: boolean): HistoryFrame {
  return { type: 'history', room, messages, more };
}

/** A `dm_history` frame. */
export function dmHistoryFrame(messages: MessageFrame[], more: boolean): DmHistoryFrame {
  return { type: 'dm_history', messages, more };
}
