import { parseInput } from '../commands.js';
import type { InputAction } from '../commands.js';
import type { ErrorCode } from '../errors.js';
import type {
  BanInfo,
  ClientFrame,
  ErrorFrame,
  MessageFrame,
  MessagePlace,
  ReadFrame,
  SearchHit,
  RoomListing,
  ServerFrame,
  SessionInfo,
  UserInfo,
} from '../frames.js';
import { LOGGED_OUT_REASON, SERVER_SHUTDOWN_REASON, SESSION_REVOKED_REASON } from '../frames.js';
import { DEFAULT_ROOM, LIMITS, PROTOCOL_VERSION } from '../limits.js';
import { foldName, foldRoom } from '../names.js';
import type { RawFrame } from '../validate.js';
import { validateServerFrame } from '../validate.js';
import { replyExcerpt } from '../text.js';
import { searchProblem } from '../search.js';
import type { SearchFilters } from './searches.js';
import { Searches } from './searches.js';
import type { BackoffOptions } from './backoff.js';
import { backoffDelay } from './backoff.js';
import { Listeners } from './emitter.js';
import type { ClientStatus, EndReason } from './link.js';
import { Link } from './link.js';
import type { MessageEntry, ModelEvent, ModelOptions, Target } from './model.js';
import { ChatModel, targetKey } from './model.js';
import { Outbox } from './outbox.js';
import type { TimeWords } from './room-texts.js';
import { bansText, modlogText, usersText } from './room-texts.js';
import { excerpt, sessionsText } from './texts.js';
import type { ClientClock, Connect } from './transport.js';
import { systemClock } from './transport.js';
import { TypingState, TypingTeller } from './typing.js';

export type { ClientStatus, EndReason } from './link.js';

/** What a {@link ChatClient} tells its view. Model events pass through unchanged. */
export type ClientEvent =
  | ModelEvent
  | { type: 'status'; status: ClientStatus }
  /** The server refused the name or the credentials: ask again (`account`: the name is an account's). */
  | { type: 'name_rejected'; code: ErrorCode; message: string; account?: boolean }
  /**
   * Logged in to an account (`name`), with a token to keep when one came;
   * or (`name` undefined) logged out: forget the token.
   */
  | { type: 'account'; name: string | undefined; token?: string }
  /** Who is typing in the conversation `key` changed (see `typingIn`). */
  | { type: 'typing'; key: string }
  /** The message the next one answers was picked or forgotten (see `answer`). */
  | { type: 'answering' }
  /** `/react N` without an emoji: the view offers reactions to put on message `id`. */
  | { type: 'pick_reaction'; id: string }
  /** The message `seek` looked for is held now, in the conversation `key`: the view shows it. */
  | { type: 'found'; key: string; id: string }
  /** The search shown changed: asked, a page came, or refused (see `searches.state`). */
  | { type: 'search' }
  /** A setting of this client changed (`notifies`, the model's `highlights`): a view keeps it for next time. */
  | { type: 'settings' }
  /**
   * The message the next line replaces was picked (`/edit` alone, the
   * page's Edit button) or forgotten (see `editingEntry`): a view puts its
   * text in the input to be mended.
   */
  | { type: 'editing' }
  | { type: 'ended'; reason: EndReason; message?: string };

/** How to log in: with a password (or, with `register`, make the account), or a remembered token. */
export interface Credentials {
  password?: string;
  token?: string;
  register?: boolean;
}

/** Options of a {@link ChatClient}. */
export interface ChatClientOptions extends ModelOptions {
  /** Opens one link to the server. */
  connect: Connect;
  /** The name to register with. */
  name: string;
  /** Sent in `hello.client`, e.g. `confab-tui/0.1.0`. */
  clientName?: string;
  /**
   * The greeting shown once welcomed, from the server's (which tells a
   * plain-text user to write `<quit>` to leave): a view with a way of its
   * own to leave says that instead. Default: the server's text.
   */
  greeting?: (name: string, serverText: string) => string;
  /** The view's keys, listed by `/help` after the commands (a line each, e.g. `  Alt+1..9  go to a conversation`). */
  keys?: readonly string[];
  /** Reconnect after a lost link (once registered); `false` to stop instead. @default {} (on, with backoff defaults) */
  reconnect?: BackoffOptions | false;
  /** Silence after which the client pings the server; twice this and the link counts as lost. @default 30000 */
  keepaliveMs?: number;
  /**
   * This guest's secret, kept by the view for later connections (see
   * `hello.guest`): with it, the server keeps this user's direct messages
   * and gives them back on a reconnect or a reload.
   */
  guestKey?: string;
  /** Log in to the account `name`. After a password login the token from `welcome` is used to reconnect. */
  credentials?: Credentials;
  /** Sends awaiting an `ack` at once; past it, input is refused until acks arrive. @default 256 */
  maxPending?: number;
  /** Tells others when the user is typing (see `input`); the user may turn it off. @default true */
  sendTyping?: boolean;
  /** Whether a mention or a direct message notifies the user (the view decides how). @default true */
  notify?: boolean;
  /**
   * Whether the user can see the conversation in view (the page: its tab
   * is in front); what comes while they cannot stays unread. @default always
   */
  isVisible?: () => boolean;
  clock?: ClientClock;
}

/** The key of the conversation a message from someone else belongs to. */
function conversationOf(frame: MessageFrame): string {
  return targetKey(
    frame.room === undefined
      ? { kind: 'dm', peer: frame.from }
      : { kind: 'room', room: frame.room },
  );
}

/** Messages `/reply` alone lists. */
const REPLY_LIST = 9;

/** `who` questions awaiting their `names` answer, at most; the oldest is forgotten past it. */
const MAX_PENDING_WHO = 16;

/**
 * After a reconnect, members seen before the link dropped who join again
 * within this long are taken back without a line: after a server restart
 * everyone comes back, and a line for each would bury the conversation.
 */
const RETURN_WINDOW_MS = 60_000;
/** A client tells the server its read markers at most this often (milliseconds). */
const READ_EVERY_MS = 1_000;

/** Name-taken answers on reconnect are retried this many times: the old link may still hold the name. */
const RECONNECT_NAME_RETRIES = 5;

/**
 * The client core both Confab clients are views over. Its {@link Link} runs
 * the handshake over an injected transport and reconnects with backoff and
 * jitter; the client keeps the model of rooms, members and messages, resumes
 * every room from its last `seq` (no gap, no duplicate), and its
 * {@link Outbox} matches `ack`s to what was sent.
 */
export class ChatClient {
  readonly model: ChatModel;
  private readonly events = new Listeners<ClientEvent>();
  private readonly options: ChatClientOptions;
  private readonly clock: ClientClock;
  private readonly link: Link;
  private readonly outbox: Outbox;
  private requestedName: string;
  /** What the next `hello` logs in with; a password is dropped once a token has come. */
  private credentials: Credentials;
  private nameRetries = 0;
  /** Rooms being replayed after a resume: pending sends there wait for the replay to end. */
  private readonly resuming = new Set<string>();
  /** Kept direct messages are being replayed after a resume: pending ones wait for it to end. */
  private resumingDms = false;
  /** Sessions of a `sessions` list still coming (`more`). */
  private readonly sessionPages: SessionInfo[] = [];
  /** Lists still coming in several frames (`more`). */
  private readonly lists = {
    rooms: [] as RoomListing[],
    bans: [] as BanInfo[],
    users: [] as UserInfo[],
  };
  /** Rooms (folded) whose member list the user asked for with `/who`: shown when `names` answers. */
  private readonly pendingWho = new Set<string>();
  /** Room the user asked to join: the view switches to it once joined. */
  private switchToRoom: string | undefined;
  private started = false;
  /** Members (folded) of each room (folded) when the link dropped, welcomed back quietly. */
  private returning = new Map<string, Set<string>>();
  private returningUntil = 0;
  /** Who is typing where, what to tell of the user's own, and the timer that ends what shows. */
  private readonly typing = new TypingState();
  private readonly teller = new TypingTeller();
  private typingTimer: unknown;
  private tellsTyping: boolean;
  /** Whether a mention or a direct message notifies the user (`/notify`): the view rings or shows it. */
  notifies: boolean;
  /** The message the next one sent in conversation `key` answers (the page's Reply button). */
  private answering: { key: string; entry: MessageEntry } | undefined;
  /** The message the next line in its conversation replaces (`/edit` alone, the page's Edit button). */
  private editing: { key: string; entry: MessageEntry } | undefined;
  /** The message older pages are being loaded to find (`seek`). */
  /** The message `seek` looks for, and how a line names it when it is too far back. */
  private seeking: { key: string; room: string; id: string; lost: string } | undefined;
  /** The search shown (the page's results, the terminal client's listing). */
  readonly searches: Searches;
  /** Read markers moved but not yet sent, by conversation, and when the last were sent. */
  private readonly unsentReads = new Map<string, ReadFrame>();
  private readTimer: unknown;
  private lastReadSent = Number.NEGATIVE_INFINITY;

  constructor(options: ChatClientOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.requestedName = options.name;
    this.tellsTyping = options.sendTyping ?? true;
    this.notifies = options.notify ?? true;
    this.credentials = { ...options.credentials };
    this.model = new ChatModel(options);
    this.model.events.add((event) => {
      this.events.emit(event);
      // What comes into the conversation in view is read, as it is seen.
      if (event.type === 'entries' && event.key === this.model.currentKey) this.markRead();
    });
    this.link = new Link(
      {
        connect: options.connect,
        clock: this.clock,
        reconnect: options.reconnect ?? {},
        keepaliveMs: options.keepaliveMs ?? 30_000,
      },
      {
        hello: () => this.hello(),
        frame: (raw) => this.receive(raw),
        registered: () => this.onRegistered(),
        lost: (wasUp, serverStopping, reconnecting) =>
          this.onLost(wasUp, serverStopping, reconnecting),
        ended: (reason, message) =>
          this.events.emit(
            message === undefined ? { type: 'ended', reason } : { type: 'ended', reason, message },
          ),
        status: (status) => this.events.emit({ type: 'status', status }),
      },
    );
    this.searches = new Searches(
      (frame) => this.link.send(frame),
      () => this.events.emit({ type: 'search' }),
    );
    this.outbox = new Outbox(
      this.model,
      (frame) => this.link.send(frame),
      options.maxPending ?? 256,
    );
  }

  /** The connection state. */
  get status(): ClientStatus {
    return this.link.status;
  }

  /** When the next reconnect attempt starts (status `reconnecting`). */
  get reconnectAt(): number {
    return this.link.reconnectAt;
  }

  /** Listens to everything the view needs; returns the function that stops listening. */
  subscribe(listener: (event: ClientEvent) => void): () => void {
    return this.events.add(listener);
  }

  /** Opens the first connection. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.link.start();
  }

  /**
   * Handles one line the user typed: a message to the current room or peer,
   * a `/command`, or `<quit>`. Returns what the line meant: `error` with
   * `mend` when it could not go as it is (too long, no link), which the view
   * keeps in its input to be mended; help and mistakes are also shown as
   * system lines in the current conversation.
   */
  submit(line: string): InputAction {
    const current = this.model.current();
    const context = {
      ...(current?.target.kind === 'room' ? { room: current.target.room } : {}),
      ...(current?.target.kind === 'dm'
        ? { peer: current.target.peer, room: this.firstRoom() }
        : {}),
    };
    const action = parseInput(line, context);
    switch (action.kind) {
      case 'send': {
        const problem = this.sendAction(action.frame);
        if (problem !== undefined) return { kind: 'error', message: problem, mend: true };
        break;
      }
      case 'quit':
        this.quit(action.reason);
        break;
      case 'help': {
        const keys = this.options.keys?.length ? `\nKeys:\n${this.options.keys.join('\n')}` : '';
        this.model.notice(`${action.text}${keys}`, 'info', this.clock.now());
        break;
      }
      case 'error':
        this.model.notice(action.message, 'error', this.clock.now());
        break;
      case 'reply':
        if (action.frame === undefined) this.listReplyTargets();
        else {
          const answered = this.messageBack(action.back ?? 1);
          if (!answered) {
            const message = `There is no message ${action.back} back here to answer (/reply lists them).`;
            this.model.notice(message, 'error', this.clock.now());
            return { kind: 'error', message, mend: true };
          }
          const problem = this.sendAction({ ...action.frame, reply_to: answered.id });
          if (problem !== undefined) return { kind: 'error', message: problem, mend: true };
        }
        break;
      case 'edit': {
        const entry = this.targetOf(action.back);
        if (!entry) return this.noMessage(action.back, 'edit');
        if (action.text === undefined) this.edit(entry.id);
        else {
          const problem = this.sendEdit(entry, action.text);
          if (problem !== undefined) return { kind: 'error', message: problem, mend: true };
        }
        break;
      }
      case 'delete': {
        const entry = this.targetOf(action.back);
        if (!entry) return this.noMessage(action.back, 'delete');
        const problem = this.deleteMessage(entry.id);
        if (problem !== undefined) return { kind: 'error', message: problem };
        break;
      }
      case 'react': {
        const entry = this.messageBack(action.back);
        if (!entry) {
          const message = `There is no message ${action.back} back here to react to.`;
          this.model.notice(message, 'error', this.clock.now());
          return { kind: 'error', message };
        }
        if (action.emoji === undefined) this.events.emit({ type: 'pick_reaction', id: entry.id });
        else {
          const problem = this.toggleReaction(entry.id, action.emoji);
          if (problem !== undefined) return { kind: 'error', message: problem };
        }
        break;
      }
      case 'notify':
        this.notifies = action.on;
        this.model.notice(
          action.on
            ? 'A mention or a direct message notifies you.'
            : 'Mentions and direct messages no longer notify you.',
          'info',
          this.clock.now(),
        );
        this.events.emit({ type: 'settings' });
        break;
      case 'highlight':
        if (action.words !== undefined) {
          this.model.setHighlights(action.words);
          this.events.emit({ type: 'settings' });
        }
        this.model.notice(
          this.model.highlights.length === 0
            ? 'Only your name highlights a message (/highlight words adds others).'
            : `Your name and these highlight a message: ${this.model.highlights.join(', ')}.`,
          'info',
          this.clock.now(),
        );
        break;
      case 'typing':
        this.setSendTyping(action.on);
        this.model.notice(
          action.on
            ? 'Others see when you are typing.'
            : 'Others no longer see when you are typing.',
          'info',
          this.clock.now(),
        );
        break;
      case 'none':
        break;
    }
    return action;
  }

  /** Makes the user's name an account with this password (as `/register`). Returns why it could not be asked, if so. */
  register(password: string): string | undefined {
    return this.sendAction({ type: 'register', password });
  }

  /** Logs out this session (as `/logout`): the server ends it, and the view forgets the token. */
  logout(): string | undefined {
    return this.sendAction({ type: 'logout' });
  }

  /**
   * The next message sent in the conversation in view answers the message
   * `id` of it (the page's Reply button); `undefined` forgets it.
   */
  answer(id: string | undefined): void {
    const current = this.model.current();
    const entry = current?.entries.find((e) => e.kind === 'message' && e.id === id);
    this.answering = current && entry?.kind === 'message' ? { key: current.key, entry } : undefined;
    this.events.emit({ type: 'answering' });
  }

  /**
   * Puts `emoji` on the message `id` of the conversation in view, or takes
   * it off when the user has it there (the page's reaction buttons,
   * `/react`). Returns why it could not be done, if so.
   */
  toggleReaction(id: string, emoji: string): string | undefined {
    const found = this.changeable(id, 'reacted to');
    if (typeof found === 'string') return found;
    const { place, entry } = found;
    const mine = entry.reactions?.some((r) => r.emoji === emoji && r.me === true);
    return this.sendAction({
      type: 'react',
      ...place,
      id,
      emoji,
      ...(mine ? { remove: true } : {}),
    });
  }

  /**
   * The message `id` of the conversation in view, with where the server
   * finds it: its room, or (a direct message kept for the user, one with a
   * `dseq`) the user's mailbox. Otherwise why it cannot be changed, shown.
   */
  private changeable(
    id: string,
    done: 'reacted to' | 'edited' | 'deleted',
  ): { place: MessagePlace; entry: MessageEntry } | string {
    const current = this.model.current();
    const entry = current?.entries.find((e) => e.kind === 'message' && e.id === id);
    if (!current || entry?.kind !== 'message') return this.refuse('There is no such message here.');
    if (current.target.kind === 'room') return { place: { room: current.target.room }, entry };
    if (entry.dseq === undefined)
      return this.refuse(`That direct message was not kept for you, so it cannot be ${done}.`);
    return { place: { dm: true }, entry };
  }

  /**
   * The next line sent in the conversation in view replaces the text of
   * the user's message `id` there (the page's Edit button, `/edit` alone);
   * `undefined` forgets it.
   */
  edit(id: string | undefined): void {
    const current = this.model.current();
    const entry = current?.entries.find((e) => e.kind === 'message' && e.id === id);
    this.editing =
      current &&
      entry?.kind === 'message' &&
      !entry.deleted &&
      (current.target.kind === 'room' || entry.dseq !== undefined)
        ? { key: current.key, entry }
        : undefined;
    this.events.emit({ type: 'editing' });
  }

  /** The message the next line sent in the conversation in view replaces, if one was picked. */
  get editingEntry(): MessageEntry | undefined {
    const editing = this.editing;
    return editing && editing.key === this.model.current()?.key ? editing.entry : undefined;
  }

  /** Deletes the message `id` of the conversation in view (the page's Delete button, `/delete`). */
  deleteMessage(id: string): string | undefined {
    const found = this.changeable(id, 'deleted');
    if (typeof found === 'string') return found;
    return this.sendAction({ type: 'delete', ...found.place, id });
  }

  /** The message the next one sent in the conversation in view answers, if one was picked. */
  get answeringEntry(): MessageEntry | undefined {
    const answering = this.answering;
    return answering && answering.key === this.model.current()?.key ? answering.entry : undefined;
  }

  /** Who is typing in the conversation `key` (the current one unless named), first to start first. */
  typingIn(key = this.model.current()?.key): string[] {
    return key === undefined ? [] : this.typing.names(key, this.clock.now());
  }

  /**
   * The input line of the current conversation changed to `text`: others
   * are told the user is typing a message (at most every few seconds), or
   * stopped when the line is emptied, unless the user turned it off.
   */
  input(text: string): void {
    const current = this.model.current();
    if (!current || !this.tellsTyping || this.status !== 'registered') return;
    const news = this.teller.input(current.key, text, this.clock.now());
    if (news === undefined) return;
    const target = current.target;
    this.link.send({
      type: 'typing',
      ...(target.kind === 'room' ? { room: target.room } : { to: target.peer }),
      ...(news === 'stopped' ? { stopped: true } : {}),
    });
  }

  /** Whether others are told when the user is typing. */
  get sendsTyping(): boolean {
    return this.tellsTyping;
  }

  /** Turns telling others when the user is typing on or off. */
  setSendTyping(on: boolean): void {
    this.tellsTyping = on;
  }

  /** Shows a room or a direct conversation (clearing its unread count). */
  show(target: Target): void {
    if (target.kind === 'dm') this.model.openDm(target.peer);
    this.model.setCurrent(targetKey(target));
    this.markRead();
  }

  /** Asks for the page of messages before the oldest one held. Returns false when there is none to ask for. */
  loadOlder(room: string, limit: number = LIMITS.defaultHistoryLimit): boolean {
    const conversation = this.model.room(room);
    if (!conversation || !this.model.canLoadOlder(conversation) || this.status !== 'registered')
      return false;
    conversation.loadingHistory = true;
    this.link.send({
      type: 'history',
      room: conversation.target.room,
      before: conversation.firstSeq,
      limit,
    });
    return true;
  }

  /**
   * Brings the message `id` of the room in view into the conversation (the
   * original of a reply, quoted above it): when it is not held, older pages
   * are loaded until it is, as far as the conversation keeps. `found` tells
   * when it is held; a message further back is said in a line.
   */
  seek(id: string, lost = 'The message this answers'): void {
    const current = this.model.current();
    if (current?.target.kind !== 'room') return;
    this.seeking = { key: current.key, room: current.target.room, id, lost };
    this.seekOn();
  }

  /**
   * The user has seen the conversation in view: its read marker moves to
   * its newest message, here and (feature `read`) on the server, which
   * tells the user's other devices. Sent at most once a second; what comes
   * meanwhile goes with the next. A view calls it when it comes back in front.
   */
  markRead(): void {
    const current = this.model.current();
    if (!current || !this.model.readMarkersKept || !(this.options.isVisible?.() ?? true)) return;
    const newest = this.model.newestNumber(current);
    // The conversation in view has no unread count to change: no event (views redraw per message).
    if (!this.model.markRead(current.key, newest)) return;
    this.unsentReads.set(
      current.key,
      current.target.kind === 'room'
        ? { type: 'read', room: current.target.room, seq: newest }
        : { type: 'read', with: current.target.peer, dseq: newest },
    );
    if (this.readTimer !== undefined) return;
    const wait = this.lastReadSent + READ_EVERY_MS - this.clock.now();
    if (wait <= 0) this.sendReads();
    else this.readTimer = this.clock.setTimer(wait, () => this.sendReads());
  }

  /** Sends the read markers moved since the last were sent (kept for later while the link is down). */
  private sendReads(): void {
    this.readTimer = undefined;
    if (this.status === 'registered') this.tellReads();
  }

  /** Tells the server the read markers moved since it was last told. */
  private tellReads(): void {
    this.lastReadSent = this.clock.now();
    for (const frame of this.unsentReads.values()) this.link.send(frame);
    this.unsentReads.clear();
  }

  /**
   * Finds messages with these words (the page's search box, `/search`):
   * the answer is in `searches.state`, told by `search` events. Returns
   * why it could not be asked, if so.
   */
  search(query: string, filters: SearchFilters = {}): string | undefined {
    const problem = searchProblem(query);
    if (problem !== undefined) return this.refuse(`Cannot search that: ${problem}.`);
    return this.sendAction({ type: 'search', query, ...filters });
  }

  /**
   * Opens a search hit in its conversation, shown where it is (loading
   * older history of a room to reach it): `found` tells when it is there.
   */
  openHit(hit: SearchHit): void {
    if (hit.room !== undefined) {
      this.show({ kind: 'room', room: hit.room });
      this.seek(hit.id, 'That message');
      return;
    }
    const peer = this.model.isSelf(hit.from) ? (hit.to ?? hit.from) : hit.from;
    this.show({ kind: 'dm', peer });
    const current = this.model.current();
    if (current?.entries.some((e) => e.kind === 'message' && e.id === hit.id))
      this.events.emit({ type: 'found', key: current.key, id: hit.id });
    else
      this.model.notice(
        'That message is further back than this conversation holds.',
        'info',
        this.clock.now(),
      );
  }

  /** One step of `seek`: found, or another page older, or given up. */
  private seekOn(): void {
    const seeking = this.seeking;
    if (!seeking) return;
    const room = this.model.room(seeking.room);
    if (room?.entries.some((e) => e.kind === 'message' && e.id === seeking.id)) {
      this.seeking = undefined;
      this.events.emit({ type: 'found', key: seeking.key, id: seeking.id });
      return;
    }
    if (room?.loadingHistory) return;
    if (!this.loadOlder(seeking.room, LIMITS.maxHistoryLimit)) {
      this.seeking = undefined;
      this.model.notice(
        `${seeking.lost} is further back than this conversation keeps.`,
        'info',
        this.clock.now(),
      );
    }
  }

  /** Registers again under another name after `name_rejected`. */
  retryName(name: string): void {
    this.retry(name, {});
  }

  /** Registers again after `name_rejected`, as a guest or with credentials (a password, or making the account). */
  retry(name: string, credentials: Credentials): void {
    this.requestedName = name;
    this.credentials = { ...credentials };
    this.link.nameGiven();
  }

  /** Runs the `<quit>` handshake: sends `quit`, closes on the answer or after 2 s. */
  quit(reason?: string): void {
    // What was read just before leaving is not left waiting for the next second.
    if (this.readTimer !== undefined) {
      this.clock.clearTimer(this.readTimer);
      this.sendReads();
    }
    this.link.quit(reason);
  }

  /** Whether `name` is this user's (ignoring case). */
  isSelf(name: string): boolean {
    return this.model.isSelf(name);
  }

  // --- The link's life -----------------------------------------------------

  /** The `hello` for this attempt: after a first welcome it resumes every room and the kept direct messages. */
  private hello(): ClientFrame {
    const resume: Record<string, number> = {};
    this.resuming.clear();
    const reconnecting = this.link.wasRegistered;
    const revs: Record<string, number> = {};
    if (reconnecting) {
      for (const room of this.model.rooms()) {
        resume[room.target.room] = room.lastSeq;
        if (room.lastRev > 0) revs[room.target.room] = room.lastRev;
        this.resuming.add(foldRoom(room.target.room));
      }
    }
    const { token, password, register } = this.credentials;
    // An account's direct messages are its own; a guest's come with its key.
    const guest = token === undefined && password === undefined ? this.options.guestKey : undefined;
    this.resumingDms = reconnecting && (guest !== undefined || this.model.account !== undefined);
    return {
      type: 'hello',
      version: PROTOCOL_VERSION,
      name: this.requestedName,
      ...(this.options.clientName ? { client: this.options.clientName } : {}),
      ...(Object.keys(resume).length > 0 ? { resume } : {}),
      ...(Object.keys(revs).length > 0 ? { revs } : {}),
      ...(guest === undefined ? {} : { guest }),
      ...(token !== undefined ? { token } : password !== undefined ? { password } : {}),
      ...(token === undefined && password !== undefined && register ? { register: true } : {}),
      ...(this.resumingDms ? { dseq: this.model.lastDseq } : {}),
      ...(this.resumingDms && this.model.lastDrev > 0 ? { drev: this.model.lastDrev } : {}),
      features: ['rooms', 'typing', 'reactions', 'edits', 'read'],
    };
  }

  private onRegistered(): void {
    this.nameRetries = 0;
    // What was read while the link was down is told now, not at the next read.
    if (this.unsentReads.size > 0) {
      if (this.readTimer !== undefined) this.clock.clearTimer(this.readTimer);
      this.readTimer = undefined;
      this.tellReads();
    }
    // Without an identity the server keeps no direct messages: what was not
    // acked is sent again now. With one, after their replay.
    if (this.options.guestKey !== undefined || this.model.account !== undefined) return;
    this.outbox.resendDirect();
  }

  private onLost(wasUp: boolean, serverStopping: boolean, reconnecting: boolean): void {
    for (const key of this.typing.clear()) this.events.emit({ type: 'typing', key });
    this.resuming.clear();
    this.resumingDms = false;
    for (const room of this.model.rooms()) room.loadingHistory = false;
    if (!wasUp) return;
    // Who was there is welcomed back quietly after the reconnect.
    this.returning = new Map(
      this.model
        .rooms()
        .map((room) => [foldRoom(room.target.room), new Set(room.members.map(foldName))]),
    );
    if (!reconnecting) return;
    this.model.noticeAll(
      serverStopping
        ? 'The server is restarting or shutting down; reconnecting…'
        : 'Connection lost; reconnecting…',
      serverStopping ? 'info' : 'error',
      this.clock.now(),
    );
  }

  /** Logged in: keep the token to come back with (never the password), and tell the view. */
  private loggedIn(name: string, token: string | undefined): void {
    if (token !== undefined) this.credentials = { token };
    this.model.setAccount(name);
    this.events.emit(
      token === undefined ? { type: 'account', name } : { type: 'account', name, token },
    );
  }

  /** Logged out (here, or from elsewhere): the token is forgotten, by the view too. */
  private loggedOut(): void {
    this.credentials = {};
    this.model.setAccount(undefined);
    this.events.emit({ type: 'account', name: undefined });
  }

  /** Whether a `joined` is someone coming back after our reconnect (shown without a line). */
  private isReturning(room: string, name: string): boolean {
    if (this.model.isSelf(name)) return this.resuming.has(foldRoom(room));
    if (this.clock.now() > this.returningUntil) return false;
    return this.returning.get(foldRoom(room))?.delete(foldName(name)) ?? false;
  }

  // --- Sending -------------------------------------------------------------

  /** Sends what a line asked for; returns why it could not be sent (also shown in the log). */
  private sendAction(
    frame: Exclude<ClientFrame, { type: 'hello' | 'quit' | 'ping' | 'pong' | 'history' }>,
  ): string | undefined {
    const refuse = (message: string) => {
      this.model.notice(message, 'error', this.clock.now());
      return message;
    };
    if (this.status !== 'registered') return refuse('Not connected: the message was not sent.');
    if (frame.type === 'search') {
      const { type: _type, query, ref: _ref, cursor: _cursor, ...filters } = frame;
      this.searches.start(query, filters);
      return undefined;
    }
    if (frame.type === 'join') this.switchToRoom = foldRoom(frame.room);
    if (frame.type === 'who') this.askedWho(frame.room);
    // A line written while a message is being edited in its conversation replaces its text.
    const editing = this.editingEntry;
    if (
      editing &&
      (frame.type === 'say' || frame.type === 'dm') &&
      !frame.action &&
      frame.reply_to === undefined &&
      targetKey(
        frame.type === 'say' ? { kind: 'room', room: frame.room } : { kind: 'dm', peer: frame.to },
      ) === this.editing?.key
    ) {
      this.editing = undefined;
      this.events.emit({ type: 'editing' });
      return this.sendEdit(editing, frame.text);
    }
    if (frame.type === 'say' || frame.type === 'dm') {
      if (this.outbox.full) return refuse('Too many messages waiting for the server: not sent.');
      if (frame.type === 'dm') this.model.openDm(frame.to);
      this.teller.sent();
      // A reply picked in this conversation goes with its next message (one
      // picked in another waits there until the person goes back to it).
      const answering = this.answering;
      if (
        answering &&
        frame.reply_to === undefined &&
        answering.key === this.model.current()?.key
      ) {
        frame = { ...frame, reply_to: answering.entry.id };
        this.answering = undefined;
        this.events.emit({ type: 'answering' });
      }
      this.outbox.post(frame);
      return undefined;
    }
    this.link.send(frame);
    return undefined;
  }

  // --- Receiving -----------------------------------------------------------

  private receive(raw: RawFrame): void {
    const result = validateServerFrame(raw);
    // Unknown or malformed server frames are skipped: a newer server may send more.
    if (!result.ok) return;
    this.handle(result.frame);
  }

  private handle(frame: ServerFrame): void {
    const now = this.clock.now();
    switch (frame.type) {
      case 'welcome':
        this.requestedName = frame.name;
        this.model.setName(frame.name);
        if (frame.account !== undefined) this.loggedIn(frame.account, frame.token);
        else if (this.model.account !== undefined) this.loggedOut();
        for (const room of frame.rooms) this.model.ensureRoom(room);
        // The greeting once; after that, one line says the link is back.
        if (this.link.wasRegistered) {
          this.model.noticeAll('Reconnected', 'info', now);
          this.returningUntil = now + RETURN_WINDOW_MS;
        } else if (frame.text) {
          const text = this.options.greeting?.(frame.name, frame.text) ?? frame.text;
          this.model.notice(text, 'info', now);
        }
        this.link.welcome();
        break;
      case 'names':
        if (this.model.applyNames(frame) && this.pendingWho.delete(foldRoom(frame.room)))
          this.showMembers(frame.room);
        break;
      case 'joined':
        this.model.applyJoined(
          frame.room,
          frame.name,
          frame.ts,
          this.isReturning(frame.room, frame.name),
        );
        if (this.model.isSelf(frame.name) && this.switchToRoom === foldRoom(frame.room)) {
          this.switchToRoom = undefined;
          this.model.setCurrent(targetKey({ kind: 'room', room: frame.room }));
          this.markRead();
        }
        break;
      case 'left':
        this.model.applyLeft(frame);
        // Gone from the room: no longer writing in it.
        this.typingEnded(targetKey({ kind: 'room', room: frame.room }), frame.name);
        break;
      case 'nick':
        // After a reconnect, the user comes back under the name they have now.
        if (this.model.isSelf(frame.old)) this.requestedName = frame.name;
        this.model.applyNick(frame.old, frame.name, now);
        break;
      case 'message':
        this.model.applyMessage(frame);
        if (!this.model.isSelf(frame.from)) this.typingEnded(conversationOf(frame), frame.from);
        break;
      case 'typing':
        this.onTyping(frame, now);
        break;
      case 'reaction':
        this.model.applyReaction(frame);
        break;
      case 'update':
        this.model.applyUpdate(frame);
        break;
      case 'edited':
        this.model.applyEdited(frame);
        break;
      case 'deleted':
        this.model.applyDeleted(frame);
        break;
      case 'history':
        this.onHistory(frame);
        break;
      case 'dm_history':
        this.model.applyDirectHistory(frame, this.resumingDms);
        if (this.resumingDms && !frame.more) {
          this.resumingDms = false;
          this.outbox.resendDirect();
        }
        break;
      case 'ack':
        this.outbox.acked(frame.ref);
        break;
      case 'search_results':
        this.searches.results(frame);
        break;
      case 'read_markers':
        this.model.applyReadMarkers(frame);
        this.markRead();
        break;
      case 'read':
        this.model.applyRead(frame);
        break;
      case 'error':
        this.onError(frame);
        break;
      case 'ping':
        this.link.send(
          frame.ref === undefined ? { type: 'pong' } : { type: 'pong', ref: frame.ref },
        );
        break;
      case 'pong':
        break;
      case 'account':
        this.loggedIn(frame.name, frame.token);
        this.model.notice(
          `You are logged in as ${frame.name}: the name is yours, on every device you log in from.`,
          'info',
          now,
        );
        break;
      case 'sessions':
        // A long list comes in several frames: shown once it is whole.
        this.sessionPages.push(...frame.sessions);
        if (frame.more) break;
        this.model.notice(sessionsText(this.sessionPages.splice(0), now), 'info', now);
        break;
      case 'room':
        this.model.applyRoom(frame);
        break;
      case 'mod':
        this.model.applyMod(frame);
        break;
      case 'rooms':
        // A long list comes in several frames: shown once it is whole.
        this.lists.rooms.push(...frame.rooms);
        if (!frame.more) this.model.setRoomList(this.lists.rooms.splice(0));
        break;
      case 'bans':
        this.lists.bans.push(...frame.bans);
        if (!frame.more)
          this.listNotice(bansText({ ...frame, bans: this.lists.bans.splice(0) }, this.times));
        break;
      case 'users':
        this.lists.users.push(...frame.users);
        if (!frame.more) this.listNotice(usersText(this.lists.users.splice(0)));
        break;
      case 'modlog':
        this.listNotice([
          ...modlogText(frame.room, frame.entries, this.times),
          ...(frame.more ? ['(older entries exist)'] : []),
        ]);
        break;
      case 'quit':
        if (frame.reason === LOGGED_OUT_REASON || frame.reason === SESSION_REVOKED_REASON)
          this.loggedOut();
        this.link.serverQuit(frame.reason, frame.reason === SERVER_SHUTDOWN_REASON);
        break;
    }
  }

  private onTyping(frame: Extract<ServerFrame, { type: 'typing' }>, now: number): void {
    if (this.model.isSelf(frame.name)) return;
    const key = targetKey(
      frame.room === undefined
        ? { kind: 'dm', peer: frame.name }
        : { kind: 'room', room: frame.room },
    );
    if (this.typing.heard(key, frame.name, frame.stopped === true, now))
      this.events.emit({ type: 'typing', key });
    this.scheduleTypingExpiry(now);
  }

  /** The `back`th message from the newest (1: the newest) of the conversation in view. */
  private messageBack(back: number): MessageEntry | undefined {
    const entries = this.model.current()?.entries ?? [];
    let count = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.kind === 'message' && ++count === back) return entry;
    }
    return undefined;
  }

  /** Sends an edit of `entry` (a message of the conversation in view); returns why not, if so. */
  private sendEdit(entry: MessageEntry, text: string): string | undefined {
    const found = this.changeable(entry.id, 'edited');
    if (typeof found === 'string') return found;
    if (entry.deleted) return this.refuse('That message was deleted.');
    return this.sendAction({ type: 'edit', ...found.place, id: entry.id, text });
  }

  /**
   * The message `/edit` and `/delete` act on: the `back`th from the newest
   * in the conversation in view, or (no `back`) the user's own newest.
   */
  private targetOf(back: number | undefined): MessageEntry | undefined {
    if (back !== undefined) return this.messageBack(back);
    const entries = this.model.current()?.entries ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.kind === 'message' && entry.self && !entry.deleted) return entry;
    }
    return undefined;
  }

  /** Says there is no such message to act on, as an error the view shows. */
  private noMessage(back: number | undefined, what: string): InputAction {
    const message =
      back === undefined
        ? `You have no message here to ${what}.`
        : `There is no message ${back} back here to ${what}.`;
    this.model.notice(message, 'error', this.clock.now());
    return { kind: 'error', message };
  }

  /** Shows `message` as an error line and returns it. */
  private refuse(message: string): string {
    this.model.notice(message, 'error', this.clock.now());
    return message;
  }

  /** `/reply` alone: the last messages here, numbered as `/reply N` counts them. */
  private listReplyTargets(): void {
    const lines: string[] = [];
    for (let back = 1; back <= REPLY_LIST; back++) {
      const entry = this.messageBack(back);
      if (!entry) break;
      lines.push(`${back}  <${entry.from}> ${replyExcerpt(entry).text}`);
    }
    this.model.notice(
      lines.length === 0
        ? 'There is no message here to answer.'
        : ['Answer one with /reply N text:', ...lines].join('\n'),
      'info',
      this.clock.now(),
    );
  }

  /** `name` is no longer typing in `key` (their message came). */
  private typingEnded(key: string, name: string): void {
    if (this.typing.said(key, name)) this.events.emit({ type: 'typing', key });
  }

  /** Ends, when its time comes, the showing of whoever stops showing next. */
  private scheduleTypingExpiry(now: number): void {
    if (this.typingTimer !== undefined) this.clock.clearTimer(this.typingTimer);
    this.typingTimer = undefined;
    const { changed, next } = this.typing.expire(now);
    for (const key of changed) this.events.emit({ type: 'typing', key });
    if (next === undefined) return;
    this.typingTimer = this.clock.setTimer(next - now, () => {
      this.typingTimer = undefined;
      this.scheduleTypingExpiry(this.clock.now());
    });
  }

  private onHistory(frame: Extract<ServerFrame, { type: 'history' }>): void {
    const key = foldRoom(frame.room);
    const isResume = this.resuming.has(key);
    this.model.applyHistory(frame, !isResume);
    if (isResume && !frame.more) {
      this.resuming.delete(key);
      this.outbox.resendToRoom(frame.room);
    }
    if (!isResume && this.seeking !== undefined && foldRoom(this.seeking.room) === key)
      this.seekOn();
  }

  private onError(frame: ErrorFrame): void {
    if (this.searches.refused(frame)) return;
    if (this.link.awaitingWelcome) this.onRefusal(frame);
    else this.onCommandError(frame);
  }

  /** The server refused `hello`: ask for another name or credentials, retry, or end. */
  private onRefusal(frame: ErrorFrame): void {
    const nameRefused = NAME_REFUSALS.has(frame.code);
    // A token that no longer logs in (revoked, expired) is forgotten: ask again.
    if (frame.code === 'auth_failed' && this.credentials.token !== undefined) this.loggedOut();
    this.link.rejected(frame.code, frame.message);
    if (!nameRefused) {
      if (!this.link.awaitingWelcome) return;
      if (frame.code === 'unavailable') this.retryHelloLater(frame.message);
      else this.model.notice(frame.message, 'error', this.clock.now());
      return;
    }
    const { password, register } = this.credentials;
    if (frame.code === 'name_taken' && frame.account && register && password !== undefined) {
      // Making the account found it made already: the password may be its own.
      this.retry(this.requestedName, { password });
      return;
    }
    if (
      frame.code === 'name_taken' &&
      !frame.account &&
      this.link.wasRegistered &&
      this.nameRetries < RECONNECT_NAME_RETRIES
    ) {
      // Our previous link may still hold the name until the server notices it is gone.
      this.nameRetries++;
      const delay = backoffDelay(this.nameRetries, this.clock.random());
      this.link.after(delay, () => this.retryName(this.requestedName));
      return;
    }
    this.events.emit({
      type: 'name_rejected',
      code: frame.code,
      message: frame.message,
      ...(frame.account ? { account: true } : {}),
    });
  }

  /** An error answering a frame: about a send of ours, say which; otherwise as it is. */
  private onCommandError(frame: ErrorFrame): void {
    const now = this.clock.now();
    const pending = frame.ref === undefined ? undefined : this.outbox.refused(frame.ref);
    if (!pending) {
      this.model.notice(frame.message, 'error', now);
      return;
    }
    const key =
      pending.frame.type === 'say'
        ? targetKey({ kind: 'room', room: pending.frame.room })
        : targetKey({ kind: 'dm', peer: pending.frame.to });
    // Say which message: the user may have typed more since.
    this.model.notice(
      `Not sent: “${excerpt(pending.frame.text)}”: ${frame.message}`,
      'error',
      now,
      this.model.conversations.has(key) ? key : undefined,
    );
  }

  /**
   * The server cannot register anyone right now (its store or cluster is out
   * of reach): say so, and send `hello` again after a backoff.
   */
  private retryHelloLater(reason: string): void {
    this.nameRetries++;
    const delay = backoffDelay(this.nameRetries, this.clock.random());
    this.model.notice(
      `${reason} (trying again in ${Math.ceil(delay / 1000)} s)`,
      'error',
      this.clock.now(),
    );
    this.link.helloLater(delay);
  }

  private askedWho(room: string): void {
    const key = foldRoom(room);
    this.pendingWho.delete(key);
    this.pendingWho.add(key);
    if (this.pendingWho.size > MAX_PENDING_WHO)
      this.pendingWho.delete(this.pendingWho.values().next().value!);
  }

  /** The answer to `/who`: the room's members as one line in that room (or where the user is). */
  private showMembers(roomName: string): void {
    const room = this.model.room(roomName);
    if (!room) return;
    const names = room.members;
    this.model.notice(
      `In ${room.title} (${names.length}): ${names.join(', ')}`,
      'info',
      this.clock.now(),
      this.model.current()?.target.kind === 'dm' ? this.model.currentKey : room.key,
    );
  }

  /** A list (bans, who is connected, a moderation log) as one block of lines where the user is. */
  private listNotice(lines: string[]): void {
    this.model.notice(lines.join('\n'), 'info', this.clock.now());
  }

  /** How this client writes times in lines: the model's words. */
  private get times(): TimeWords {
    return this.model.timeWords;
  }

  /** The first room the user is in (where a DM view's commands act). */
  private firstRoom(): string {
    return this.model.rooms()[0]?.target.room ?? DEFAULT_ROOM;
  }
}

/**
 * What a view asks for after `name_rejected`: another name; the account's
 * password (the name is an account's, or the login failed); or a password
 * to make the name an account (the server takes no guests; the client core
 * logs in instead when the account turns out to exist).
 */
export function askAfterRejection(
  event: Extract<ClientEvent, { type: 'name_rejected' }>,
): 'name' | 'password' | 'new-password' {
  if ((event.code === 'name_taken' && event.account) || event.code === 'auth_failed')
    return 'password';
  return event.code === 'auth_required' ? 'new-password' : 'name';
}

/** Refusals of a `hello` that the user answers with another name or credentials. */
const NAME_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'name_taken',
  'name_invalid',
  'auth_failed',
  'auth_required',
]);
