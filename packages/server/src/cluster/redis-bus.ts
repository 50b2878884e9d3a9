import { ConfabError } from '@confab/protocol';
import type { Logger } from 'pino';
import type {
  Bus,
  BusEvent,
  DirectDraft,
  DirectPoster,
  MessageDraft,
  MessagePoster,
  Origin,
  DeleteChange,
  EditChange,
  MessageChangeOutcome,
  ReactionChange,
  ReactionOutcome,
  ChangePoster,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import type { RedisChanges } from '../store/redis-changes.js';
import type { Publication, RedisStore } from '../store/redis-store.js';
import type { NumberingGuard } from './numbering-guard.js';
import { decodeEvent, encodeDirect, encodeDraft, encodeEvent, encodeChange } from './bus-codec.js';
import type { RedisLink } from './redis-link.js';

/** Options of {@link RedisBus}. */
export interface RedisBusOptions {
  link: RedisLink;
  /** The history store: room messages are published by its append script. */
  store: RedisStore;
  /** Reactions: each change is published by the script that makes it. */
  changes: RedisChanges;
  channel: string;
  /** Sharded pub/sub (SPUBLISH, SSUBSCRIBE: Redis 7 and later) instead of PUBLISH. */
  sharded: boolean;
  logger: Logger;
  /** Told every number given, so that none is given twice after Redis loses data. */
  guard: NumberingGuard;
  /** This node's id: its barriers' payloads carry it. */
  node: string;
}

/** How a barrier's payload starts (`B node:count`): no event's does. */
const BARRIER = 'B';

/** A barrier not back by then is let go: the events before it are taken as lost with it. */
const BARRIER_TIMEOUT_MS = 2_000;

/**
 * Fan-out between nodes through Redis pub/sub: every node subscribes to one
 * channel and publishes every event there, its own included, so every node
 * sees the events in the one order Redis gives them. Room messages are
 * published by the store's append script in the step that numbers them
 * (see {@link RedisStore.append}), which is why this bus is also the
 * cluster's message poster (and, the same way for mailboxes, its direct
 * message poster).
 *
 * Pub/sub forgets what it sends while a node's subscription is broken: when
 * it is back, handlers get `resync`, and the core reads the room messages
 * it missed from the store.
 */
export class RedisBus implements Bus, MessagePoster, DirectPoster, ChangePoster {
  private readonly handlers: Array<(event: BusEvent) => void> = [];
  private readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** Barriers on their way, by payload: what to call once each is back. */
  private readonly barriers = new Map<string, () => void>();
  private barriersSent = 0;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.publishCommand = options.sharded ? 'SPUBLISH' : 'PUBLISH';
    const { link, channel } = options;
    link.subscriber.on(
      options.sharded ? 'smessage' : 'message',
      (from: string, payload: string) => {
        if (from === channel) this.receive(payload);
      },
    );
    link.onReconnected((which) => {
      if (which === 'subscriber' && !this.closed) void this.resubscribe();
    });
  }

  /** Subscribes; resolves once events flow. */
  async start(): Promise<void> {
    await this.subscribeChannel();
  }

  publish(event: BusEvent): void {
    const { link, channel } = this.options;
    const payload = encodeEvent(event);
    const sent = this.options.sharded
      ? link.commands.spublish(channel, payload)
      : link.commands.publish(channel, payload);
    sent.catch((error: unknown) => {
      link.failed(error);
      this.publishFailed(event);
    });
  }

  post(draft: MessageDraft): Promise<StoredMessage> {
    return this.options.store
      .append(draft, {
        command: this.publishCommand,
        channel: this.options.channel,
        payload: encodeDraft(draft),
      })
      .catch((error: unknown) => {
        throw this.options.link.failed(error);
      });
  }

  react(change: ReactionChange): Promise<ReactionOutcome> {
    return this.options.changes
      .react(change, this.changePublication(change))
      .catch((error: unknown) => {
        throw this.options.link.failed(error);
      });
  }

  edit(change: EditChange): Promise<MessageChangeOutcome> {
    return this.options.changes
      .edit(change, this.changePublication(change))
      .catch((error: unknown) => {
        throw this.options.link.failed(error);
      });
  }

  remove(change: DeleteChange): Promise<MessageChangeOutcome> {
    return this.options.changes
      .remove(change, this.changePublication(change))
      .catch((error: unknown) => {
        throw this.options.link.failed(error);
      });
  }

  /** How the change store's script publishes a change in the step that numbers it. */
  private changePublication(change: ReactionChange | EditChange | DeleteChange): Publication {
    return {
      command: this.publishCommand,
      channel: this.options.channel,
      payload: encodeChange(change),
    };
  }

  postDirect(
    owner: string,
    draft: DirectDraft,
    ack?: Origin,
    waitingFrom?: string,
  ): Promise<StoredDirect> {
    return this.options.store
      .appendDirect(owner, draft, waitingFrom, {
        command: this.publishCommand,
        channel: this.options.channel,
        payload: encodeDirect(owner, draft, ack),
      })
      .catch((error: unknown) => {
        // A full mailbox is an answer, not a failure of the link.
        throw ConfabError.from(error).code === 'mailbox_full'
          ? error
          : this.options.link.failed(error);
      });
  }

  /**
   * Resolves once every event published on the channel before the call
   * has been handed to this node's handlers: a payload of its own sent
   * through the channel comes back after them (Redis keeps a channel's
   * order). Resolves anyway after a while, or at once if it cannot be sent.
   */
  barrier(): Promise<void> {
    const payload = `${BARRIER}${this.options.node}:${++this.barriersSent}`;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.barriers.delete(payload);
        resolve();
      };
      const timer = setTimeout(done, BARRIER_TIMEOUT_MS);
      this.barriers.set(payload, done);
      const { link, channel } = this.options;
      (this.options.sharded
        ? link.commands.spublish(channel, payload)
        : link.commands.publish(channel, payload)
      ).catch((error: unknown) => {
        link.failed(error);
        done();
      });
    });
  }

  subscribe(handler: (event: BusEvent) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.length = 0;
    for (const done of [...this.barriers.values()]) done();
  }

  private receive(payload: string): void {
    if (payload.startsWith(BARRIER)) {
      // Another node's barrier is nothing to this one.
      this.barriers.get(payload)?.();
      return;
    }
    const event = decodeEvent(payload);
    if (!event) {
      this.options.logger.warn({ payload: payload.slice(0, 200) }, 'ignored a bus event');
      return;
    }
    if (event.kind === 'room' && event.seq !== undefined)
      this.options.guard.sawRoom(event.roomKey, event.seq);
    else if (event.kind === 'room' && event.rev !== undefined)
      this.options.guard.sawRev(event.roomKey, event.rev);
    else if (event.kind === 'direct-change') this.options.guard.sawRev(event.owner, event.rev);
    else if (event.kind === 'direct' && event.frame.dseq !== undefined)
      this.options.guard.sawMailbox(event.owner, event.frame.dseq);
    for (const handler of this.handlers) handler(event);
  }

  /** A direct message that could not be published is answered, so its sender is not left waiting. */
  private publishFailed(event: BusEvent): void {
    const origin =
      event.kind === 'handover' ? event.origin : event.kind === 'direct' ? event.ack : undefined;
    if (!origin) return;
    this.emit({
      kind: 'reply',
      origin,
      frame: {
        type: 'error',
        code: 'unavailable',
        message: 'the message could not be sent right now; send it again later',
        ...(origin.ref === undefined ? {} : { ref: origin.ref }),
      },
    });
  }

  private async resubscribe(): Promise<void> {
    try {
      await this.subscribeChannel();
    } catch (error) {
      // The connection broke again; the next `ready` tries again.
      this.options.logger.debug({ err: error }, 'resubscribe failed');
      return;
    }
    this.emit({ kind: 'resync' });
  }

  private async subscribeChannel(): Promise<void> {
    const { link, channel } = this.options;
    if (this.options.sharded) await link.subscriber.ssubscribe(channel);
    else await link.subscriber.subscribe(channel);
  }

  private emit(event: BusEvent): void {
    for (const handler of this.handlers) handler(event);
  }
}
