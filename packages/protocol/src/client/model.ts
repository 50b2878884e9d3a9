import type {
  ChangedPlace,
  DmHistoryFrame,
  HistoryFrame,
  LeftFrame,
  MessageFrame,
  ModFrame,
  ReadFrame,
  ReadMarkersFrame,
  DeletedFrame,
  EditedFrame,
  NamesFrame,
  ReactionFrame,
  ReplyExcerpt,
  RoomFrame,
  RoomListing,
  RoomRole,
  UpdateFrame,
} from '../frames.js';
import type { ReactionCount } from '../reactions.js';
import { foldName, foldRoom } from '../names.js';
import { replyExcerpt } from '../text.js';
import { Listeners } from './emitter.js';
import type { TimeWords } from './room-texts.js';
import { modText, removedText } from './room-texts.js';

/** What a view shows: a room, or a direct conversation with one person. */
export type Target = { kind: 'room'; room: string } | { kind: 'dm'; peer: string };

/** A chat message as a view shows it. */
export interface MessageEntry {
  kind: 'message';
  id: string;
  from: string;
  text: string;
  ts: number;
  /** Room messages only. */
  seq?: number;
  /** Kept direct messages only: its number among this user's. */
  dseq?: number;
  /** `/me` text: show as `* from text`. */
  action: boolean;
  /** Sent by this user. */
  self: boolean;
  /** Names this user (and was sent by someone else). */
  mention: boolean;
  /** The message it answers, as it was then. */
  reply?: ReplyExcerpt;
  /** Its reactions now, in the order first given (room messages; none: none yet). */
  reactions?: ReactionCount[];
  /** When its text was last edited. */
  edited?: number;
  /** It was deleted (its text is gone), by `deletedBy`. */
  deleted?: boolean;
  deletedBy?: string;
}

/** A line about the chat rather than in it. */
export interface SystemEntry {
  kind: 'system';
  text: string;
  ts: number;
  tone: 'join' | 'leave' | 'nick' | 'info' | 'error';
}

export type LogEntry = MessageEntry | SystemEntry;

/** One room or direct conversation. */
export interface Conversation {
  readonly key: string;
  readonly target: Target;
  /** `#room`, or the peer's name. */
  title: string;
  /** Oldest first; at most `maxEntries`. */
  entries: LogEntry[];
  unread: number;
  mentions: number;
  /**
   * Where a view draws its "new messages" line: the read marker as it was
   * when the conversation was last opened (messages after it were new then).
   */
  newFrom: number;
}

/** A room the user is in. */
export interface RoomConversation extends Conversation {
  readonly target: { kind: 'room'; room: string };
  members: string[];
  /** Highest `seq` seen: what `resume` asks after. */
  lastSeq: number;
  /** Highest change `rev` the held messages are up to date with: what `revs` asks after. */
  lastRev: number;
  /** Lowest `seq` held: where the next older page starts. */
  firstSeq: number;
  /** Older messages exist on the server. */
  hasMore: boolean;
  loadingHistory: boolean;
  /** The room's state (owner, topic, modes), when the server tells it (protocol 1.4). */
  state: RoomFrame | undefined;
  /** Members' roles, by folded name (a member with none is not listed). */
  roles: Map<string, Exclude<RoomRole, 'member'>>;
}

/** What changed in the model. */
export type ModelEvent =
  | { type: 'entries'; key: string; change: 'append' | 'prepend' }
  /** A held message changed in place (its reactions). */
  | { type: 'entry'; key: string; id: string }
  | { type: 'conversations' }
  | { type: 'members'; key: string }
  | { type: 'mention'; key: string; entry: MessageEntry }
  | { type: 'name'; name: string }
  /** A room's state (topic, owner, modes) changed. */
  | { type: 'room'; key: string }
  /** The room list came (see `ChatModel.roomList`). */
  | { type: 'room_list' };

/** Options of the model. */
export interface ModelOptions {
  /** Entries kept per conversation; older ones are dropped (and can be paged back in). @default 2000 */
  maxEntries?: number;
  /** Direct conversations kept; the least recent is dropped. @default 100 */
  maxConversations?: number;
  /** How times read in lines about bans and mutes. @default local time, to the minute */
  timeWords?: TimeWords;
  /** Words besides the user's name that count as mentions. @default none */
  highlights?: readonly string[];
}

/**
 * Whether an entry is another's message after the read marker `marker`:
 * what counts as unread, and where a "new messages" line may go.
 */
function isOthersAfter(entry: LogEntry, marker: number): entry is MessageEntry {
  if (entry.kind !== 'message' || entry.self) return false;
  const number = entry.seq ?? entry.dseq;
  return number !== undefined && number > marker;
}

/**
 * The message a view draws its "new messages" line above: the first of
 * another's after the marker the conversation had when it was opened;
 * none when no marker was known then.
 */
export function firstNewMessage(conversation: Conversation): MessageEntry | undefined {
  if (conversation.newFrom === 0) return undefined;
  return conversation.entries.find((entry) => isOthersAfter(entry, conversation.newFrom)) as
    MessageEntry | undefined;
}

/** Read markers held at most (conversations held, and a bounded few more). */
const MAX_READ_MARKERS = 1_000;

/** The key of a target in the model. */
export function targetKey(target: Target): string {
  return target.kind === 'room' ? `room:${foldRoom(target.room)}` : `dm:${foldName(target.peer)}`;
}

function compareNames(a: string, b: string): number {
  const fa = foldName(a);
  const fb = foldName(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

const LEAVE_WORDS: Record<LeftFrame['reason'], string> = {
  quit: 'left the chat',
  part: 'left',
  disconnected: 'was disconnected',
  timeout: 'timed out',
  kicked: 'was removed',
};

/**
 * The chat as this user sees it: rooms, members, messages, unread and mention
 * counts. It only applies server frames; it never sends.
 */
export class ChatModel {
  readonly events = new Listeners<ModelEvent>();
  /** Conversations by key, in the order they were opened. */
  readonly conversations = new Map<string, Conversation>();
  /** This user's current name. */
  name = '';
  /** What the user is looking at; its unread count stays 0. */
  currentKey: string | undefined;
  /** Highest direct-message `dseq` seen: what a resume asks after. */
  lastDseq = 0;
  /** Highest change `rev` of the mailbox the held direct messages are up to date with: what `drev` asks after. */
  lastDrev = 0;
  /** The account the user is logged in to; undefined for a guest. */
  account: string | undefined;
  private readonly maxEntries: number;
  private readonly maxConversations: number;
  /** The room list as last asked for (`/list`), fullest rooms first. */
  roomList: RoomListing[] | undefined;
  /** How times read in lines (bans, mutes, logs). */
  readonly timeWords: TimeWords;
  /** Member lists still coming, frame by frame, by room key, with their roles. */
  private readonly partialNames = new Map<
    string,
    { names: string[]; roles: Map<string, Exclude<RoomRole, 'member'>> }
  >();

  constructor(options: ModelOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxConversations = options.maxConversations ?? 100;
    this.timeWords = options.timeWords ?? localWords;
    this.highlights = [...(options.highlights ?? [])];
  }

  /**
   * Where the user has read up to, by conversation key, as the server
   * keeps it (feature `read`): for conversations held and those not yet
   * (a marker of one held is never dropped).
   */
  private readonly readMarkers = new Map<string, number>();
  /** The server keeps read markers: unread counts come from them. */
  readMarkersKept = false;

  /** Where the user has read up to, on every device, after `welcome`. */
  applyReadMarkers(frame: ReadMarkersFrame): void {
    this.readMarkersKept = true;
    for (const [room, seq] of Object.entries(frame.rooms))
      this.markRead(targetKey({ kind: 'room', room }), seq);
    for (const [peer, dseq] of Object.entries(frame.with))
      this.markRead(targetKey({ kind: 'dm', peer }), dseq);
    for (const conversation of this.conversations.values()) {
      // What comes after the marker a login brings is new, in the conversation in view too.
      conversation.newFrom = this.readUpTo(conversation);
      this.recount(conversation);
    }
    this.events.emit({ type: 'conversations' });
  }

  /** The user read a conversation up to a message, here or on another device. */
  applyRead(frame: ReadFrame): void {
    const key =
      frame.room !== undefined
        ? targetKey({ kind: 'room', room: frame.room })
        : targetKey({ kind: 'dm', peer: frame.with });
    if (this.markRead(key, frame.room !== undefined ? frame.seq : frame.dseq))
      this.events.emit({ type: 'conversations' });
  }

  /**
   * Moves the read marker of conversation `key` forward to `number` (never
   * back); its unread counts follow. True when it moved.
   */
  markRead(key: string, number: number): boolean {
    if (number <= (this.readMarkers.get(key) ?? 0)) return false;
    // Bounded as the conversations are: a marker for one not held is dropped first.
    if (this.readMarkers.size >= MAX_READ_MARKERS && !this.readMarkers.has(key))
      for (const held of this.readMarkers.keys())
        if (!this.conversations.has(held)) {
          this.readMarkers.delete(held);
          break;
        }
    this.readMarkers.set(key, number);
    const conversation = this.conversations.get(key);
    if (conversation) this.recount(conversation);
    return true;
  }

  /**
   * The newest message the user has read in a conversation, on any of
   * their devices: its `seq` (a room) or `dseq` (a direct conversation); 0
   * when none is known (feature `read`, section 6.11).
   */
  readUpTo(conversation: Conversation): number {
    return this.readMarkers.get(conversation.key) ?? 0;
  }

  /** The newest message held in a conversation: its seq or dseq (0: none). */
  newestNumber(conversation: Conversation): number {
    for (let i = conversation.entries.length - 1; i >= 0; i--) {
      const entry = conversation.entries[i]!;
      if (entry.kind !== 'message') continue;
      const number = entry.seq ?? entry.dseq;
      if (number !== undefined) return number;
    }
    return 0;
  }

  /**
   * A conversation's unread and mention counts from its read marker (the
   * server keeps them): the messages held after it, not the user's own.
   * The conversation in view has none.
   */
  private recount(conversation: Conversation): void {
    if (!this.readMarkersKept) return;
    let unread = 0;
    let mentioned = 0;
    if (conversation.key !== this.currentKey) {
      const marker = this.readUpTo(conversation);
      for (const entry of conversation.entries) {
        if (!isOthersAfter(entry, marker)) continue;
        unread++;
        if (entry.mention || conversation.target.kind === 'dm') mentioned++;
      }
    }
    conversation.unread = unread;
    conversation.mentions = mentioned;
  }

  /** Words besides the user's name that count as mentions (`/highlight`). */
  highlights: string[];

  /** Counts these words as mentions from now on (messages already held keep theirs). */
  setHighlights(words: readonly string[]): void {
    this.highlights = [...words];
  }

  /** Whether a message's text mentions the user: their name, or one of their highlight words. */
  private mentionsUser(text: string): boolean {
    return mentions(text, this.name) || this.highlights.some((word) => mentions(text, word));
  }

  /** The rooms the user is in, in join order. */
  rooms(): RoomConversation[] {
    return [...this.conversations.values()].filter(
      (c): c is RoomConversation => c.target.kind === 'room',
    );
  }

  room(room: string): RoomConversation | undefined {
    return this.conversations.get(targetKey({ kind: 'room', room })) as
      RoomConversation | undefined;
  }

  current(): Conversation | undefined {
    return this.currentKey === undefined ? undefined : this.conversations.get(this.currentKey);
  }

  /** Shows a conversation: its unread and mention counts are cleared. */
  setCurrent(key: string): void {
    const conversation = this.conversations.get(key);
    if (!conversation) return;
    this.currentKey = key;
    conversation.newFrom = this.readUpTo(conversation);
    conversation.unread = 0;
    conversation.mentions = 0;
    this.events.emit({ type: 'conversations' });
  }

  isSelf(name: string): boolean {
    return this.name !== '' && foldName(name) === foldName(this.name);
  }

  setName(name: string): void {
    this.name = name;
    this.events.emit({ type: 'name', name });
  }

  setAccount(account: string | undefined): void {
    this.account = account;
    this.events.emit({ type: 'name', name: this.name });
  }

  /** Makes sure the room exists in the model (after `welcome` or our own `joined`). */
  ensureRoom(room: string): RoomConversation {
    const existing = this.room(room);
    if (existing) return existing;
    const conversation: RoomConversation = {
      key: targetKey({ kind: 'room', room }),
      target: { kind: 'room', room },
      title: room,
      entries: [],
      unread: 0,
      mentions: 0,
      newFrom: 0,
      members: [],
      lastSeq: 0,
      lastRev: 0,
      firstSeq: 0,
      hasMore: false,
      loadingHistory: false,
      state: undefined,
      roles: new Map(),
    };
    this.conversations.set(conversation.key, conversation);
    this.currentKey ??= conversation.key;
    this.events.emit({ type: 'conversations' });
    return conversation;
  }

  /** Removes a room the user left; the view moves to another conversation. */
  dropRoom(room: string): void {
    const key = targetKey({ kind: 'room', room });
    if (!this.conversations.delete(key)) return;
    if (this.currentKey === key) this.currentKey = this.conversations.keys().next().value;
    this.events.emit({ type: 'conversations' });
  }

  /** Opens (or returns) the direct conversation with `peer`; the least recent one goes past the limit. */
  openDm(peer: string): Conversation {
    const key = targetKey({ kind: 'dm', peer });
    const existing = this.conversations.get(key);
    if (existing) {
      existing.title = peer;
      return existing;
    }
    const dms = [...this.conversations.values()].filter((c) => c.target.kind === 'dm');
    if (dms.length >= this.maxConversations) {
      const oldest = dms.find((c) => c.key !== this.currentKey);
      if (oldest) this.conversations.delete(oldest.key);
    }
    const conversation: Conversation = {
      key,
      target: { kind: 'dm', peer },
      title: peer,
      entries: [],
      unread: 0,
      mentions: 0,
      newFrom: 0,
    };
    this.conversations.set(key, conversation);
    this.events.emit({ type: 'conversations' });
    return conversation;
  }

  /** Adds a system line to a conversation (the current one when none is given). */
  notice(text: string, tone: SystemEntry['tone'], ts: number, key = this.currentKey): void {
    const conversation = key === undefined ? undefined : this.conversations.get(key);
    if (!conversation) return;
    this.append(conversation, { kind: 'system', text, ts, tone }, false);
  }

  /** Adds a system line to every conversation: news about the link, which each log should show. */
  noticeAll(text: string, tone: SystemEntry['tone'], ts: number): void {
    for (const conversation of this.conversations.values())
      this.append(conversation, { kind: 'system', text, ts, tone }, false);
  }

  /**
   * A room's member list. A large room's comes in several frames, each but
   * the last with `more`: the list is shown once it is whole.
   */
  applyNames(frame: NamesFrame): boolean {
    const room = this.room(frame.room);
    if (!room) return false;
    const partial = this.partialNames.get(room.key) ?? {
      names: [] as string[],
      roles: new Map<string, Exclude<RoomRole, 'member'>>(),
    };
    partial.names.push(...frame.names);
    for (const [name, role] of Object.entries(frame.roles ?? {}))
      partial.roles.set(foldName(name), role);
    if (frame.more) {
      this.partialNames.set(room.key, partial);
      return false;
    }
    this.partialNames.delete(room.key);
    room.members = partial.names.sort(compareNames);
    room.roles = partial.roles;
    this.events.emit({ type: 'members', key: room.key });
    return true;
  }

  /** A room's state (protocol 1.4): its topic, owner and modes, shown with the room. */
  applyRoom(frame: RoomFrame): void {
    const room = this.room(frame.room);
    if (!room) return;
    room.state = frame;
    this.events.emit({ type: 'room', key: room.key });
  }

  /**
   * A moderation event: a line in its room (or, for a room the user is not
   * in, such as an invitation, where the user is), and a role given or
   * taken shown in the member list.
   */
  applyMod(frame: ModFrame): void {
    const room = frame.room === undefined ? undefined : this.room(frame.room);
    if (room && frame.action === 'role' && frame.name !== undefined) {
      const key = foldName(frame.name);
      if (frame.role === 'member' || frame.role === undefined) room.roles.delete(key);
      else room.roles.set(key, frame.role);
      if (frame.role === 'owner' && room.state?.owner !== undefined)
        room.roles.set(foldName(room.state.owner), 'moderator');
      this.events.emit({ type: 'members', key: room.key });
    }
    const text = modText(frame, (name) => this.isSelf(name), this.timeWords);
    this.notice(text, 'info', frame.ts, room?.key ?? this.currentKey);
  }

  /** The room list (`/list`), browsed and joined from by the views. */
  setRoomList(rooms: RoomListing[]): void {
    this.roomList = rooms;
    this.events.emit({ type: 'room_list' });
  }

  /** A member's role in a room, if they have one. */
  roleIn(room: RoomConversation, name: string): Exclude<RoomRole, 'member'> | undefined {
    return room.roles.get(foldName(name));
  }

  /**
   * A member joined. `quiet` adds them without a line: someone coming back
   * after a reconnect (oneself, or the others after a server restart) never
   * visibly left.
   */
  applyJoined(room: string, name: string, ts: number, quiet = false): void {
    const conversation = this.isSelf(name) ? this.ensureRoom(room) : this.room(room);
    if (!conversation) return;
    if (!conversation.members.some((m) => foldName(m) === foldName(name))) {
      conversation.members = [...conversation.members, name].sort(compareNames);
      this.events.emit({ type: 'members', key: conversation.key });
    }
    if (quiet) return;
    const who = this.isSelf(name) ? 'You' : name;
    this.append(
      conversation,
      { kind: 'system', text: `${who} joined ${conversation.title}`, ts, tone: 'join' },
      false,
    );
  }

  applyLeft(frame: LeftFrame): void {
    const { room, name, ts, reason } = frame;
    const conversation = this.room(room);
    if (!conversation) return;
    const removed = reason === 'kicked' && frame.by !== undefined;
    const text = removed
      ? removedText(frame, (who) => this.isSelf(who), this.timeWords)
      : `${name} ${LEAVE_WORDS[reason]}`;
    if (this.isSelf(name)) {
      this.dropRoom(room);
      // Removed: the line goes where the user is now, and the room is not joined again.
      if (removed) this.notice(text, 'error', ts);
      return;
    }
    const folded = foldName(name);
    conversation.members = conversation.members.filter((m) => foldName(m) !== folded);
    conversation.roles.delete(folded);
    this.events.emit({ type: 'members', key: conversation.key });
    this.append(conversation, { kind: 'system', text, ts, tone: 'leave' }, false);
  }

  applyNick(old: string, name: string, ts: number): void {
    const folded = foldName(old);
    const wasSelf = this.isSelf(old);
    if (wasSelf) this.setName(name);
    else this.renameDm(old, name, ts);
    for (const conversation of this.conversations.values()) {
      if (conversation.target.kind === 'dm') continue;
      const room = conversation as RoomConversation;
      if (!room.members.some((m) => foldName(m) === folded)) continue;
      room.members = room.members
        .map((m) => (foldName(m) === folded ? name : m))
        .sort(compareNames);
      this.events.emit({ type: 'members', key: room.key });
      const text = wasSelf ? `You are now known as ${name}` : `${old} is now known as ${name}`;
      this.append(room, { kind: 'system', text, ts, tone: 'nick' }, false);
    }
  }

  /**
   * The direct conversation with `old` follows them to their new name, so a
   * reply reaches them; a line says so.
   */
  private renameDm(old: string, name: string, ts: number): void {
    const from = this.conversations.get(targetKey({ kind: 'dm', peer: old }));
    if (!from) return;
    const key = targetKey({ kind: 'dm', peer: name });
    const existing = this.conversations.get(key);
    const renamed: Conversation = existing ?? { ...from, key, target: { kind: 'dm', peer: name } };
    renamed.title = name;
    if (existing)
      existing.entries = [...from.entries, ...existing.entries].sort((a, b) => a.ts - b.ts);
    // The conversation keeps its place in the list.
    const order = [...this.conversations.entries()].map(([k, c]) =>
      k === from.key ? ([key, renamed] as const) : ([k, c] as const),
    );
    this.conversations.clear();
    for (const [k, c] of order) if (!this.conversations.has(k)) this.conversations.set(k, c);
    if (this.currentKey === from.key) this.currentKey = key;
    this.append(
      renamed,
      { kind: 'system', text: `${old} is now known as ${name}`, ts, tone: 'nick' },
      false,
    );
    this.events.emit({ type: 'conversations' });
  }

  /** Applies a live message. Returns false for a duplicate (a `seq` or direct message already held). */
  applyMessage(frame: MessageFrame): boolean {
    if (frame.room !== undefined) {
      const room = this.room(frame.room);
      if (!room || frame.seq === undefined || frame.seq <= room.lastSeq) return false;
      this.appendRoomMessage(room, frame);
      return true;
    }
    return this.applyDirect(frame, false);
  }

  /**
   * Applies a page of kept direct messages: each goes to its conversation
   * (opened if need be) unless already held. `missed`: they came while the
   * link was down (a resume), so they count as unread; otherwise they are
   * the conversations as they were (after a reload), already read.
   */
  applyDirectHistory(frame: DmHistoryFrame, missed: boolean): void {
    if (frame.rev !== undefined) this.lastDrev = Math.max(this.lastDrev, frame.rev);
    for (const message of frame.messages) this.applyDirect(message, true, missed);
    if (!this.readMarkersKept) return;
    // What is unread is what is after the read marker, on whichever device it moved.
    for (const conversation of this.conversations.values())
      if (conversation.target.kind === 'dm') this.recount(conversation);
    this.events.emit({ type: 'conversations' });
  }

  private applyDirect(frame: MessageFrame, replayed: boolean, counts = true): boolean {
    if (frame.dseq !== undefined) this.lastDseq = Math.max(this.lastDseq, frame.dseq);
    const peer = this.isSelf(frame.from) ? frame.to! : frame.from;
    const conversation = this.openDm(peer);
    if (conversation.entries.some((e) => e.kind === 'message' && e.id === frame.id)) return false;
    const entry = this.entryOf(frame);
    this.append(conversation, entry, counts, this.placeOf(conversation, entry, replayed));
    return true;
  }

  /**
   * Applies a `history` frame. Messages newer than any held are appended (a
   * join or resume replay); older ones are put in front (a page back);
   * anything already held is skipped, so replays never double a message.
   */
  applyHistory(frame: HistoryFrame, isBackwardPage: boolean): void {
    const room = this.room(frame.room);
    if (!room) return;
    if (frame.rev !== undefined) room.lastRev = Math.max(room.lastRev, frame.rev);
    const older: LogEntry[] = [];
    for (const message of frame.messages) {
      if (message.seq === undefined) continue;
      if (message.seq > room.lastSeq) this.appendRoomMessage(room, message, true);
      else if (room.firstSeq === 0 || message.seq < room.firstSeq)
        older.push(this.entryOf(message));
    }
    if (older.length > 0) {
      room.entries = [...older, ...room.entries];
      room.firstSeq =
        older[0]!.kind === 'message' ? (older[0] as MessageEntry).seq! : room.firstSeq;
      this.trim(room);
      this.events.emit({ type: 'entries', key: room.key, change: 'prepend' });
    }
    if (isBackwardPage) {
      room.hasMore = frame.more;
      room.loadingHistory = false;
    } else if (this.readMarkersKept) {
      this.recount(room);
      this.events.emit({ type: 'conversations' });
    }
  }

  /**
   * Applies a reaction given or taken back, live. One the held state
   * already has (its `rev` is not newer) changes nothing.
   */
  applyReaction(frame: ReactionFrame): void {
    if (!this.isNewChange(frame)) return;
    const found = this.changed(frame);
    if (!found) return;
    const { conversation, entry } = found;
    const reactions = [...(entry.reactions ?? [])];
    const at = reactions.findIndex((r) => r.emoji === frame.emoji);
    const had = at >= 0 ? reactions[at]! : undefined;
    const mine = this.isSelf(frame.name) ? !frame.removed : had?.me === true;
    const now: ReactionCount = mine
      ? { emoji: frame.emoji, count: frame.count, me: true }
      : { emoji: frame.emoji, count: frame.count };
    if (frame.count === 0) {
      if (at >= 0) reactions.splice(at, 1);
    } else if (at >= 0) reactions[at] = now;
    else reactions.push(now);
    entry.reactions = reactions;
    this.events.emit({ type: 'entry', key: conversation.key, id: entry.id });
  }

  /** Applies a message's state as it is now (a resume's `update`): reactions, text, deletion. */
  applyUpdate(frame: UpdateFrame): void {
    this.isNewChange(frame);
    const conversation = this.changedIn(frame);
    if (!conversation) return;
    if (frame.deleted) this.markDeleted(conversation, frame.id, frame.deleted_by);
    else if (frame.text !== undefined && frame.edited !== undefined)
      this.markEdited(conversation, frame.id, frame.text, frame.edited);
    const entry = this.heldMessage(conversation, frame.id);
    if (!entry) return;
    entry.reactions = frame.reactions;
    this.events.emit({ type: 'entry', key: conversation.key, id: entry.id });
  }

  /** Applies an edit, live: the message has its new text (and so do the replies quoting it). */
  applyEdited(frame: EditedFrame): void {
    if (!this.isNewChange(frame)) return;
    const conversation = this.changedIn(frame);
    if (conversation) this.markEdited(conversation, frame.id, frame.text, frame.edited);
  }

  /** Applies a delete, live: the message shows as deleted (and so do the replies quoting it). */
  applyDeleted(frame: DeletedFrame): void {
    if (!this.isNewChange(frame)) return;
    const conversation = this.changedIn(frame);
    if (conversation) this.markDeleted(conversation, frame.id, frame.deleted_by);
  }

  /**
   * Whether a change is newer than the held state of its room or (a direct
   * message) of the mailbox; the held state is then as of it.
   */
  private isNewChange(frame: ChangedPlace & { rev: number }): boolean {
    if (frame.room === undefined) {
      if (frame.rev <= this.lastDrev) return false;
      this.lastDrev = frame.rev;
      return true;
    }
    const room = this.room(frame.room);
    if (!room || frame.rev <= room.lastRev) return false;
    room.lastRev = frame.rev;
    return true;
  }

  /** The conversation of a changed message: its room, or the direct conversation holding it. */
  private changedIn(frame: ChangedPlace & { id: string }): Conversation | undefined {
    if (frame.room !== undefined) return this.room(frame.room);
    for (const conversation of this.conversations.values())
      if (conversation.target.kind === 'dm' && this.heldMessage(conversation, frame.id))
        return conversation;
    return undefined;
  }

  /** A changed message held, with its conversation. */
  private changed(
    frame: ChangedPlace & { id: string },
  ): { conversation: Conversation; entry: MessageEntry } | undefined {
    const conversation = this.changedIn(frame);
    const entry = conversation && this.heldMessage(conversation, frame.id);
    return conversation && entry ? { conversation, entry } : undefined;
  }

  private markEdited(conversation: Conversation, id: string, text: string, edited: number): void {
    const entry = this.heldMessage(conversation, id);
    if (entry && !entry.deleted) {
      entry.text = text;
      entry.edited = edited;
      entry.mention = !entry.self && this.mentionsUser(text);
      this.events.emit({ type: 'entry', key: conversation.key, id });
    }
    this.requote(conversation, id, (reply) => ({
      ...reply,
      text: replyExcerpt({ ...reply, text }).text,
    }));
  }

  private markDeleted(conversation: Conversation, id: string, by: string | undefined): void {
    const entry = this.heldMessage(conversation, id);
    if (entry && !entry.deleted) {
      entry.text = '';
      entry.deleted = true;
      if (by !== undefined) entry.deletedBy = by;
      delete entry.edited;
      delete entry.reactions;
      entry.mention = false;
      this.events.emit({ type: 'entry', key: conversation.key, id });
    }
    this.requote(conversation, id, (reply) => ({ ...reply, text: '', deleted: true }));
  }

  /** The replies held in `conversation` that quote message `id`, their quote changed by `change`. */
  private requote(
    conversation: Conversation,
    id: string,
    change: (reply: ReplyExcerpt) => ReplyExcerpt,
  ): void {
    for (const entry of conversation.entries) {
      if (entry.kind !== 'message' || entry.reply?.id !== id || entry.reply.deleted) continue;
      entry.reply = change(entry.reply);
      this.events.emit({ type: 'entry', key: conversation.key, id: entry.id });
    }
  }

  /** The held message `id` of a conversation, newest first (where changes mostly land). */
  private heldMessage(conversation: Conversation, id: string): MessageEntry | undefined {
    for (let i = conversation.entries.length - 1; i >= 0; i--) {
      const entry = conversation.entries[i]!;
      if (entry.kind === 'message' && entry.id === id) return entry;
    }
    return undefined;
  }

  private appendRoomMessage(room: RoomConversation, frame: MessageFrame, replayed = false): void {
    room.lastSeq = frame.seq!;
    if (room.firstSeq === 0) room.firstSeq = frame.seq!;
    const entry = this.entryOf(frame);
    this.append(room, entry, true, this.placeOf(room, entry, replayed));
  }

  /**
   * Where an entry goes: at the end, but a replayed message is older than
   * the lines about joining or reconnecting that came just before it, so it
   * goes above them, where its time puts it.
   */
  private placeOf(conversation: Conversation, entry: LogEntry, replayed: boolean): number {
    let at = conversation.entries.length;
    if (replayed)
      while (
        at > 0 &&
        conversation.entries[at - 1]!.kind === 'system' &&
        conversation.entries[at - 1]!.ts > entry.ts
      )
        at--;
    return at;
  }

  private entryOf(frame: MessageFrame): MessageEntry {
    const self = this.isSelf(frame.from);
    return {
      kind: 'message',
      id: frame.id,
      from: frame.from,
      text: frame.text,
      ts: frame.ts,
      ...(frame.seq === undefined ? {} : { seq: frame.seq }),
      ...(frame.dseq === undefined ? {} : { dseq: frame.dseq }),
      action: frame.action === true,
      self,
      mention: !self && this.mentionsUser(frame.text),
      ...(frame.reply === undefined ? {} : { reply: frame.reply }),
      ...(frame.reactions === undefined ? {} : { reactions: frame.reactions }),
      ...(frame.edited === undefined ? {} : { edited: frame.edited }),
      ...(frame.deleted ? { deleted: true, mention: false } : {}),
      ...(frame.deleted_by === undefined ? {} : { deletedBy: frame.deleted_by }),
    };
  }

  private append(
    conversation: Conversation,
    entry: LogEntry,
    counts: boolean,
    at = conversation.entries.length,
  ): void {
    conversation.entries.splice(at, 0, entry);
    this.trim(conversation);
    const visible = conversation.key === this.currentKey;
    if (counts && !visible && entry.kind === 'message' && !entry.self) {
      conversation.unread++;
      if (entry.mention || conversation.target.kind === 'dm') conversation.mentions++;
      this.events.emit({ type: 'conversations' });
    }
    this.events.emit({ type: 'entries', key: conversation.key, change: 'append' });
    if (
      counts &&
      entry.kind === 'message' &&
      (entry.mention || (conversation.target.kind === 'dm' && !entry.self))
    ) {
      this.events.emit({ type: 'mention', key: conversation.key, entry });
    }
  }

  /**
   * Keeps at most maxEntries, dropping the oldest: the window of entries stays
   * contiguous up to the newest, and what was dropped can be paged back in.
   */
  private trim(conversation: Conversation): void {
    const excess = conversation.entries.length - this.maxEntries;
    if (excess <= 0) return;
    conversation.entries.splice(0, excess);
    if (conversation.target.kind === 'room') {
      const room = conversation as RoomConversation;
      const first = room.entries.find((e): e is MessageEntry => e.kind === 'message');
      room.firstSeq = first?.seq ?? room.lastSeq;
      room.hasMore = true;
    }
  }

  /** Whether a page of older history may still be loaded into the conversation. */
  canLoadOlder(room: RoomConversation): boolean {
    return room.hasMore && !room.loadingHistory && room.entries.length < this.maxEntries;
  }
}

/** A time as the user's clock reads it: `14:05` today, else `6 Dec 14:05`. */
const localWords: TimeWords = (ts) => {
  const date = new Date(ts);
  const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? time
    : `${date.getDate()} ${date.toLocaleString('en', { month: 'short' })} ${time}`;
};

/**
 * Whether `text` mentions `name`: the name as a whole word, ignoring case
 * (`@ada`, `ada:` and `Ada,` do; `adam` does not).
 */
export function mentions(text: string, name: string): boolean {
  if (name === '') return false;
  const haystack = foldName(text);
  const needle = foldName(name);
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) return false;
    const before = at === 0 ? '' : haystack[at - 1]!;
    const after = haystack[at + needle.length] ?? '';
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = at + 1;
  }
}

function isWordChar(char: string): boolean {
  return char !== '' && /[\p{L}\p{N}_]/u.test(char);
}
