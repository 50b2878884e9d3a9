import { ConfabError, utf8ByteLength } from '@confab/protocol';
import type { MailboxLimits } from '../core/ports.js';

/** What waits in a mailbox for its owner: in all, and from each sender. */
export interface Waiting {
  count: number;
  bytes: number;
}

/** The refusal of a message that would pass a mailbox's waiting bounds. */
export function mailboxFull(fromSender: boolean): ConfabError {
  return new ConfabError(
    'mailbox_full',
    fromSender
      ? 'you have left as many messages as can wait for them: send more once they have been back'
      : 'they have as many messages waiting as their mailbox takes: try again once they have been back',
  );
}

/**
 * Checks a message of `text` against what already waits (`all`, and from
 * its sender `mine`); throws `mailbox_full` when it would pass a bound.
 * Returns the bytes it counts for.
 */
export function checkWaiting(
  limits: MailboxLimits,
  all: Waiting,
  mine: Waiting,
  text: string,
): number {
  const bytes = utf8ByteLength(text);
  if (mine.count + 1 > limits.waitingPerSender || mine.bytes + bytes > limits.waitingBytesPerSender)
    throw mailboxFull(true);
  if (all.count + 1 > limits.waiting || all.bytes + bytes > limits.waitingBytes)
    throw mailboxFull(false);
  return bytes;
}
