import { LIMITS } from '@confab/protocol';
import type { TypingFrame } from '@confab/protocol';
import type { ChatUser } from './people.js';

/*
 * "Someone is typing": news that is stale within seconds, so it is never
 * stored, never answered and never queued behind anything. A connection has
 * one `typing` of each kind (typing, stopped) passed on per conversation
 * every `typingRelayMs`; the rest are dropped, which is what bounds a flood.
 */

/** Conversations a connection's throttle remembers; past it, it starts again (a bound on memory, not a rule). */
const REMEMBERED = 64;

/** The throttle's key of a room's conversation (its folded name), or of one with a person (theirs). */
export const roomConversation = (roomKey: string) => `r:${roomKey}`;
export const personConversation = (nameKey: string) => `p:${nameKey}`;

/** Whether a `typing` from `user` about `conversation` is passed on now (and if so, counts it). */
export function passesTypingThrottle(
  user: ChatUser,
  conversation: string,
  stopped: boolean,
  now: number,
): boolean {
  const key = `${stopped ? '-' : '+'}${conversation}`;
  const last = user.typingSent.get(key);
  if (last !== undefined && now - last < LIMITS.typingRelayMs) return false;
  if (user.typingSent.size >= REMEMBERED) user.typingSent.clear();
  user.typingSent.set(key, now);
  return true;
}

/**
 * A message was sent in the conversation: the writer's next `typing` there
 * is news at once (the others cleared it when the message came). On the
 * message path, callers look at `typingSent.size` first: a connection that
 * never told of typing pays nothing here.
 */
export function sentIn(user: ChatUser, conversation: string): void {
  user.typingSent.delete(`+${conversation}`);
  user.typingSent.delete(`-${conversation}`);
}

/** The frame that says `name` is typing (in `room`, or to the one it is sent to). */
export function typingFrame(name: string, room: string | undefined, stopped: boolean): TypingFrame {
  return {
    type: 'typing',
    name,
    ...(room === undefined ? {} : { room }),
    ...(stopped ? { stopped: true } : {}),
  };
}
