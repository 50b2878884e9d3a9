import type { ClientFrame, DmFrame, SayFrame } from '../frames.js';
import { foldRoom } from '../names.js';
import type { ChatModel, Conversation } from './model.js';
import { targetKey } from './model.js';

/** A message the user sent that the server has not acked yet. */
export interface PendingSend {
  frame: SayFrame | DmFrame;
  /** `lastSeq` of the room (`lastDseq` for a direct message) when it was sent: a replayed echo must be newer. */
  afterSeq: number;
}

/**
 * The messages sent and not yet acked, by `ref`. A link that drops may have
 * lost a message or only its ack: after the resume replay of its room (or of
 * the kept direct messages), each one is sent again unless its echo was in
 * the replay. Bounded: past `max`, input is refused until acks come.
 */
export class Outbox {
  private readonly pending = new Map<string, PendingSend>();
  private nextRef = 1;

  constructor(
    private readonly model: ChatModel,
    private readonly send: (frame: ClientFrame) => void,
    private readonly max: number,
  ) {}

  get full(): boolean {
    return this.pending.size >= this.max;
  }

  /** Sends `frame` with a new `ref`, remembered until its ack. */
  post(frame: SayFrame | DmFrame): void {
    const ref = String(this.nextRef++);
    const afterSeq =
      frame.type === 'say' ? (this.model.room(frame.room)?.lastSeq ?? 0) : this.model.lastDseq;
    this.pending.set(ref, { frame, afterSeq });
    this.send({ ...frame, ref });
  }

  acked(ref: string): void {
    this.pending.delete(ref);
  }

  /** The server refused the send `ref`: it is no longer pending. Returns it, if it was ours. */
  refused(ref: string): PendingSend | undefined {
    const pending = this.pending.get(ref);
    this.pending.delete(ref);
    return pending;
  }

  /** A room's resume replay ended: its unacked sends go again unless echoed in it. */
  resendToRoom(roomName: string): void {
    const room = this.model.room(roomName);
    if (!room) return;
    const key = foldRoom(roomName);
    this.resendWhere(
      (frame) => frame.type === 'say' && foldRoom(frame.room) === key,
      () => room,
    );
  }

  /** The replay of kept direct messages ended (or none comes): unacked ones go again unless echoed. */
  resendDirect(): void {
    this.resendWhere(
      (frame) => frame.type === 'dm',
      (frame) =>
        this.model.conversations.get(targetKey({ kind: 'dm', peer: (frame as DmFrame).to })),
    );
  }

  private resendWhere(
    matches: (frame: SayFrame | DmFrame) => boolean,
    conversationOf: (frame: SayFrame | DmFrame) => Conversation | undefined,
  ): void {
    for (const [ref, pending] of this.pending) {
      if (!matches(pending.frame)) continue;
      const conversation = conversationOf(pending.frame);
      if (conversation && echoed(conversation, pending)) this.pending.delete(ref);
      else this.send({ ...pending.frame, ref });
    }
  }
}

/** Whether the replay held this send's echo: one of ours, newer than when it was sent, with its text. */
function echoed(conversation: Conversation, pending: PendingSend): boolean {
  return conversation.entries.some(
    (e) =>
      e.kind === 'message' &&
      e.self &&
      ((pending.frame.type === 'say' ? e.seq : e.dseq) ?? 0) > pending.afterSeq &&
      e.text === pending.frame.text,
  );
}
