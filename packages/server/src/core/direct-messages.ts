import type { FrameError, MessageFrame, ReplyExcerpt, ServerFrame } from '@confab/protocol';
import { foldName, replyExcerpt } from '@confab/protocol';
import { catchUp } from './held-events.js';
import { directFrame } from './history-pages.js';
import { Outgoing } from './outgoing.js';
import { keepsDirects } from './owners.js';
import type { ChatUser, EventFeature } from './people.js';
import { followsChanges, wants } from './people.js';
import { updatesAfter } from './change-frames.js';
import type {
  Bus,
  Clock,
  DirectDraft,
  DirectPoster,
  HistoryStore,
  IdSource,
  NameHolder,
  Origin,
  Rename,
} from './ports.js';
import type { ReplayContext } from './replays.js';
import {
  mailboxReader,
  replayDirectsAfter,
  replayLatestDirects,
  replayUpdates,
} from './replays.js';
import { passesTypingThrottle, personConversation, sentIn, typingFrame } from './typing.js';

/** How many of a mailbox's newest messages are looked through for peers who took another name. */
const RENAME_LOOKBACK = 100;
/** Peers looked up at most, and renames followed at most for each: a bounded cost per login. */
const MAX_PEERS = 20;
const MAX_HOPS = 3;

/** What direct messages need of the chat core. */
export interface DirectsHost {
  readonly node: string;
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly poster: DirectPoster;
  readonly store: HistoryStore;
  readonly replay: ReplayContext;
  /** Whether a connection is still registered (a replay stops when it is not). */
  isRegistered(user: ChatUser): boolean;
  /** Who holds a name, or the account it belongs to (whose mailbox keeps messages while they are away). */
  holder(nameKey: string): Promise<NameHolder | undefined>;
  /** Where the holder of a name went lately, if they took another. */
  renamedTo(nameKey: string): Promise<Rename | undefined>;
  /** This node's connections of an identity. */
  devicesOf(owner: string): Iterable<ChatUser>;
  /** The ack to the sender of `frame` (if it is on this node). */
  acknowledge(origin: Origin, frame: MessageFrame): void;
  /** Answers a session, on whichever node holds it. */
  answer(origin: Origin, frame: ServerFrame): void;
  /** Answers a refused frame with the failure's code. */
  answerError(origin: Origin, error: unknown, what: string): void;
}

/**
 * Direct messages: sent to one person, kept in a mailbox at each end that
 * has an identity (numbered `dseq` there), and delivered to every
 * connection of the identity, the sender's included (the sender's copy
 * before its ack). Someone with no identity is handed the message by the
 * node that holds them.
 */
export class DirectMessages {
  constructor(private readonly host: DirectsHost) {}

  /** Sends a direct message from `user` to whoever is called `to`. */
  async send(
    user: ChatUser,
    to: string,
    text: string,
    action: boolean,
    origin: Origin,
    replyTo?: string,
  ): Promise<FrameError | undefined> {
    const { host } = this;
    const target = await host.holder(foldName(to));
    if (target === undefined)
      return { code: 'no_such_user', message: `no one called ${to} is online` };
    const owner = user.person.owner;
    // Only a message one keeps (one's own mailbox) in this conversation can be answered.
    const reply =
      replyTo === undefined || !keepsDirects(owner)
        ? undefined
        : await answerable(host.store, owner, user.key, foldName(target.name), replyTo);
    if (replyTo !== undefined && reply === undefined)
      return {
        code: 'no_such_message',
        message: `there is no message ${replyTo} in your conversation with ${target.name} to answer`,
      };
    if (user.typingSent.size > 0) sentIn(user, personConversation(foldName(to)));
    const draft: DirectDraft = {
      id: host.ids.next(),
      from: user.name,
      to: target.name,
      text,
      ts: host.clock.now(),
      action,
      ...(reply === undefined ? {} : { reply }),
      fromIdentity: owner,
      toIdentity: target.owner,
    };
    user.unanswered++;
    if (target.owner !== owner && !keepsDirects(target.owner)) {
      host.bus.publish({
        kind: 'handover',
        owner: target.owner,
        node: target.node,
        frame: plainDirectFrame(draft),
        origin,
      });
      return undefined;
    }
    try {
      // Someone away (an account with no device here) has it waiting in the mailbox, within its bounds.
      const away = target.node === '';
      if (target.owner !== owner)
        await host.poster.postDirect(target.owner, draft, undefined, away ? owner : undefined);
      await this.sendOwnCopy(user, draft, origin);
    } catch (error) {
      host.answerError(origin, error, 'the message could not be sent');
    }
    return undefined;
  }

  /**
   * Tells whoever is called `to` (each of their connections that asked,
   * feature `typing`, on every node) that `user` is typing to them, or
   * stopped. What the throttle drops is dropped without a word.
   */
  async typing(user: ChatUser, to: string, stopped: boolean): Promise<FrameError | undefined> {
    const { host } = this;
    // Throttled before the name is looked up: what is dropped costs no lookup.
    const nameKey = foldName(to);
    if (!passesTypingThrottle(user, personConversation(nameKey), stopped, host.clock.now()))
      return undefined;
    const target = await host.holder(nameKey);
    if (target === undefined)
      return { code: 'no_such_user', message: `no one called ${to} is online` };
    if (target.owner === user.person.owner) return undefined;
    host.bus.publish({
      kind: 'to-person',
      owner: target.owner,
      frame: typingFrame(user.name, undefined, stopped),
      feature: 'typing',
    });
    return undefined;
  }

  /**
   * A new connection's kept direct messages: the newest, or every one after
   * `dseq`; then what came meanwhile, and it goes live. Given its mailbox,
   * its owner has nothing waiting any more.
   */
  async replayMailbox(
    user: ChatUser,
    dseq: number | undefined,
    drev: number | undefined,
  ): Promise<void> {
    const { replay, store } = this.host;
    const owner = user.person.owner;
    const still = () => this.host.isRegistered(user);
    const follows = followsChanges(user);
    try {
      // The mailbox's change number, read before its messages are: they hold that change.
      const rev = follows ? await replay.changes.rev(owner) : undefined;
      user.lastDrev = rev ?? 0;
      if (dseq === undefined) user.lastDseq = await replayLatestDirects(replay, user, still, rev);
      else {
        if (drev !== undefined && rev !== undefined && drev < rev)
          user.lastDrev = Math.max(
            user.lastDrev,
            await replayUpdates(replay, user, { key: owner }, drev, dseq, owner, still),
          );
        user.lastDseq = await replayDirectsAfter(replay, user, dseq, still, rev);
      }
    } finally {
      const held = await catchUp({
        user,
        held: user.directHeld!,
        last: () => user.lastDseq,
        setLast: (number) => (user.lastDseq = number),
        read: mailboxReader(replay, user),
        frameOf: directFrame,
        numberOf: (stored) => stored.dseq,
        still,
        goLive: () => (user.directHeld = undefined),
        ...(follows
          ? {
              changes: {
                last: () => user.lastDrev,
                setLast: (rev: number) => (user.lastDrev = rev),
                read: (rev: number) => updatesAfter(replay, { key: owner }, rev, owner),
              },
            }
          : {}),
      });
      user.directHeld = undefined;
      for (const out of held?.events ?? []) user.recipient.deliver(out);
      if (held) await store.clearWaiting(user.person.owner).catch(() => undefined);
    }
    await this.followRenames(user).catch(() => undefined);
  }

  /**
   * The conversations of a replay with someone who has since taken another
   * name: a `nick` for each, after the replay, so this device follows them
   * to it as a device that was connected at the time did (else it would hold
   * two conversations with one person, the old name first).
   */
  private async followRenames(user: ChatUser): Promise<void> {
    const me = user.person;
    const recent = await this.host.store.pageDirect(me.owner, { limit: RENAME_LOOKBACK });
    const peers = new Map<string, string>();
    for (const message of recent)
      for (const name of [message.from, message.to])
        if (foldName(name) !== me.key && peers.size < MAX_PEERS) peers.set(foldName(name), name);
    for (const peer of peers.values()) {
      const now = await this.nameNow(peer, me.owner);
      if (now !== undefined && this.host.isRegistered(user))
        user.recipient.deliver(new Outgoing({ type: 'nick', old: peer, name: now }));
    }
  }

  /**
   * The name someone called `name` goes by now, when they have taken
   * another since and still hold it; undefined when they have not, or when
   * it cannot be told for sure (someone else holds the old name now).
   */
  private async nameNow(name: string, me: string): Promise<string | undefined> {
    const { host } = this;
    let key = foldName(name);
    let owner: string | undefined;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const rename = await host.renamedTo(key);
      if (!rename || rename.owner === me || (owner !== undefined && rename.owner !== owner)) break;
      owner = rename.owner;
      key = foldName(rename.name);
    }
    if (owner === undefined || key === foldName(name)) return undefined;
    const [now, old] = await Promise.all([host.holder(key), host.holder(foldName(name))]);
    if (old !== undefined && old.owner !== owner) return undefined;
    return now?.owner === owner ? now.name : undefined;
  }

  /** The node that holds the recipient handed the message over: now the sender's copy, and the ack. */
  handedOver(user: ChatUser, frame: MessageFrame, origin: Origin): void {
    this.sendOwnCopy(user, draftOf(frame), origin).catch((error: unknown) =>
      this.host.answerError(origin, error, 'the message could not be kept'),
    );
  }

  /** A direct message for an identity: to each of its connections here; then, for the sender's own copy, the ack. */
  deliverToOwner(owner: string, frame: MessageFrame, ack: Origin | undefined): void {
    let out: Outgoing | undefined;
    for (const user of this.host.devicesOf(owner))
      this.deliver(user, (out ??= new Outgoing(frame)), frame.dseq);
    if (ack) this.host.acknowledge(ack, frame);
  }

  /**
   * A change to a message of the mailbox of `owner` (numbered `rev` there):
   * to each of its connections here that asked for `feature`, in `rev`
   * order; one whose mailbox is being replayed reads it back after.
   */
  deliverChange(owner: string, frame: ServerFrame, rev: number, feature: EventFeature): void {
    let out: Outgoing | undefined;
    for (const user of this.host.devicesOf(owner)) {
      if (!wants(user, feature)) continue;
      out ??= new Outgoing(frame);
      if (user.directHeld) user.directHeld.hold(out, undefined, rev);
      else if (rev > user.lastDrev) {
        user.lastDrev = rev;
        user.recipient.deliver(out);
      }
    }
  }

  /** A direct message for someone of this node with no identity: handed over, and the sender answered. */
  handOver(owner: string, frame: MessageFrame, origin: Origin): void {
    const target = this.host.devicesOf(owner)[Symbol.iterator]().next().value;
    if (!target) {
      // Gone between the sender's look-up and the delivery.
      this.host.answer(origin, {
        type: 'error',
        code: 'no_such_user',
        message: `no one called ${frame.to} is online`,
        ...(origin.ref ? { ref: origin.ref } : {}),
      });
      return;
    }
    this.deliver(target, new Outgoing(frame), undefined);
    // The sender's node sends its copy, then the ack: the message was handed over.
    this.host.answer(origin, frame);
  }

  /** The sender's own copy, then the ack: kept in the sender's mailbox first if it has one. */
  private async sendOwnCopy(user: ChatUser, draft: DirectDraft, origin: Origin): Promise<void> {
    const owner = user.person.owner;
    if (keepsDirects(owner)) {
      // Acked when the copy comes back from the bus (deliverToOwner).
      await this.host.poster.postDirect(owner, draft, origin);
      return;
    }
    const frame = plainDirectFrame(draft);
    this.deliver(user, new Outgoing(frame), undefined);
    this.host.acknowledge(origin, frame);
  }

  /** Delivers a direct message to one connection; while its mailbox is replayed, it is read from there after. */
  private deliver(user: ChatUser, out: Outgoing, dseq: number | undefined): void {
    if (user.directHeld) {
      user.directHeld.hold(out, dseq);
      return;
    }
    if (dseq !== undefined) {
      if (dseq <= user.lastDseq) return;
      user.lastDseq = dseq;
    }
    user.recipient.deliver(out);
  }
}

/** The frame of a direct message that is not kept (no `dseq`). */
function plainDirectFrame(draft: DirectDraft): MessageFrame {
  const frame: MessageFrame = {
    type: 'message',
    id: draft.id,
    from: draft.from,
    to: draft.to,
    text: draft.text,
    ts: draft.ts,
  };
  if (draft.action) frame.action = true;
  if (draft.reply) frame.reply = draft.reply;
  return frame;
}

/** A direct message's draft, back from its frame. */
function draftOf(frame: MessageFrame): DirectDraft {
  return {
    id: frame.id,
    from: frame.from,
    to: frame.to ?? '',
    text: frame.text,
    ts: frame.ts,
    action: frame.action === true,
    ...(frame.reply === undefined ? {} : { reply: frame.reply }),
  };
}

/**
 * What a direct message to `peer` may answer: a message of the sender's
 * own mailbox (one they were sent or sent) in the conversation with that
 * person; undefined when there is none such.
 */
async function answerable(
  store: HistoryStore,
  owner: string,
  selfKey: string,
  peerKey: string,
  id: string,
): Promise<ReplyExcerpt | undefined> {
  const answered = await store.findDirect(owner, id);
  if (!answered) return undefined;
  const from = foldName(answered.from);
  const to = foldName(answered.to);
  const withPeer = (from === selfKey && to === peerKey) || (from === peerKey && to === selfKey);
  return withPeer ? replyExcerpt(answered) : undefined;
}

/** Messages copied per read of a mailbox (see `copyMailbox`). */
const COPY_PAGE = 200;

/**
 * Copies a mailbox into an empty one, oldest first: a guest who became an
 * account keeps their direct messages. The copies are numbered 1, 2, 3 …
 * as the originals were, so a client's place in the conversation (`dseq`)
 * still holds in the new mailbox. Nothing is published: the guest's
 * connections have these messages already.
 */
export async function copyMailbox(store: HistoryStore, from: string, to: string): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await store.pageDirect(from, { after, limit: COPY_PAGE });
    // The guest's own messages are the account's now (it may edit them).
    const moved = (identity: string | undefined) => (identity === from ? to : identity);
    // Appends to one mailbox are numbered in the order they are called.
    await Promise.all(
      page.map(({ owner: _owner, dseq: _dseq, reactions: _reactions, ...draft }) =>
        store.appendDirect(to, {
          ...draft,
          ...(draft.fromIdentity === undefined ? {} : { fromIdentity: moved(draft.fromIdentity) }),
          ...(draft.toIdentity === undefined ? {} : { toIdentity: moved(draft.toIdentity) }),
        }),
      ),
    );
    if (page.length < COPY_PAGE) return;
    after = page.at(-1)!.dseq;
  }
}
