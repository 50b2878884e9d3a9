import type { AckFrame, MessageFrame, ServerFrame } from '@confab/protocol';
import { ConfabError } from '@confab/protocol';
import type { Connections } from './connections.js';
import { Outgoing } from './outgoing.js';
import type { ChatUser } from './people.js';
import type { Bus, MessagePoster, MessageDraft, Origin } from './ports.js';

/**
 * Answers to what senders sent: a room message is acked when the bus
 * brings it back (after the sender's own copy), a refusal goes to the
 * sender wherever it is connected, and a session can wait until all it
 * sent has been answered (before it quits, or before a command that must
 * come after its messages).
 */
export class Acks {
  /** Room messages of this node's users, by id, until the bus brings them back: then the ack. */
  private readonly unechoed = new Map<string, Origin>();

  constructor(
    private readonly node: string,
    private readonly bus: Bus,
    private readonly connections: Connections,
    /** A direct message another node handed over: the sender's copy, then its ack. */
    private readonly handedOver: (user: ChatUser, frame: MessageFrame, origin: Origin) => void,
  ) {}

  /** Where a frame of `user` (with `ref`) came from, to answer it. */
  origin(user: ChatUser, ref: string | undefined): Origin {
    return ref === undefined
      ? { node: this.node, session: user.recipient.sessionId }
      : { node: this.node, session: user.recipient.sessionId, ref };
  }

  /** Posts a room message; its ack (or the store's refusal) goes to `origin` later. */
  post(poster: MessagePoster, user: ChatUser, draft: MessageDraft, origin: Origin): void {
    user.unanswered++;
    this.unechoed.set(draft.id, origin);
    poster.post(draft).catch((error: unknown) => this.answerFailure(user, draft.id, error));
  }

  /** A room message came back from the bus: if one of this node's users sent it, the ack. */
  echoed(frame: MessageFrame): void {
    const origin = this.unechoed.get(frame.id);
    if (origin === undefined) return;
    this.unechoed.delete(frame.id);
    this.acknowledge(origin, frame);
  }

  /** Sends the `ack` for a message to its sender, if the sender is on this node. */
  acknowledge(origin: Origin, frame: MessageFrame): void {
    if (origin.node !== this.node) return;
    const user = this.connections.user(origin.session);
    if (!user) return;
    if (origin.ref !== undefined) {
      const ack: AckFrame = { type: 'ack', ref: origin.ref, id: frame.id, ts: frame.ts };
      if (frame.seq !== undefined) ack.seq = frame.seq;
      user.recipient.deliver(new Outgoing(ack));
    }
    this.answered(user);
  }

  /** Answers a session: here if it is on this node, else through the bus to its node. */
  answer(origin: Origin, frame: ServerFrame): void {
    if (origin.node === this.node) this.deliverReply(origin, frame);
    else this.bus.publish({ kind: 'reply', origin, frame });
  }

  /** An answer for a session of this node (from the bus, or from here). */
  deliverReply(origin: Origin, frame: ServerFrame): void {
    if (origin.node !== this.node) return;
    const user = this.connections.user(origin.session);
    if (!user) return;
    if (frame.type === 'message') {
      this.handedOver(user, frame, origin);
      return;
    }
    user.recipient.deliver(new Outgoing(frame));
    if (frame.type === 'error') this.answered(user);
  }

  /**
   * Answers a refused frame of `origin` with the failure's code
   * (`unavailable`: send it again later; `mailbox_full`: the store's own
   * words, which say whose bound it passed).
   */
  answerError(origin: Origin, error: unknown, what: string): void {
    const coded = ConfabError.from(error);
    const message =
      coded.code === 'unavailable'
        ? `${what} right now; send it again later`
        : coded.code === 'mailbox_full'
          ? `${what}: ${coded.message}`
          : what;
    this.deliverReply(origin, {
      type: 'error',
      code: coded.code,
      message,
      ...(origin.ref ? { ref: origin.ref } : {}),
    });
  }

  /** Resolves once every message the user sent has been answered (ack or error). */
  settled(user: ChatUser): Promise<void> {
    if (user.unanswered === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = user.onSettled;
      user.onSettled = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** The store refused a room message (unless the bus brought it back after all: then it was acked). */
  private answerFailure(user: ChatUser, id: string, error: unknown): void {
    const origin = this.unechoed.get(id);
    if (origin === undefined) return;
    this.unechoed.delete(id);
    this.answerError(origin, error, 'the message could not be stored');
    if (!this.connections.user(origin.session)) this.answered(user);
  }

  private answered(user: ChatUser): void {
    if (user.unanswered > 0) user.unanswered--;
    if (user.unanswered === 0 && user.onSettled) {
      const settled = user.onSettled;
      user.onSettled = undefined;
      settled();
    }
  }
}
