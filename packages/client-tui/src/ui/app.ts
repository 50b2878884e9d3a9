import type {
  ChatClient,
  ClientEvent,
  SearchState,
  Conversation,
  LogEntry,
  RoomConversation,
} from '@confab/protocol';
import {
  INPUT_COMMANDS,
  REACTION_PICKS,
  dayChanges,
  dayLabel,
  firstNewMessage,
  hitText,
  maskSecrets,
  roomsText,
} from '@confab/protocol';
import type { Widgets } from 'blessed';
import { formatDay, formatEntry, formatNewLine } from '../view/format.js';
import { renderInput } from '../view/input-line.js';
import type { KeyAction, KeyEvent } from '../view/keys.js';
import { keyAction } from '../view/keys.js';
import { LineEditor } from '../view/line-editor.js';
import { paneWidths } from '../view/panes.js';
import { headerLine, memberLines } from '../view/room-view.js';
import { escapeTags, safeText } from '../view/safe-text.js';
import { conversationLines, statusLine } from '../view/status.js';
import type { Layout } from './layout.js';
import { createLayout } from './layout.js';

/** A question the connect form asks: a label, a value to start from, and a check that returns a problem or nothing. */
export interface Question {
  label: string;
  initial?: string;
  check: (answer: string) => string | undefined;
  /** Shown above the field (for example why a name was refused). */
  note?: string;
  /** A password: each character shows as `•`. */
  secret?: boolean;
}

/** Lines scrolled by PageUp/PageDown: most of a screen. */
const pageOf = (log: Widgets.BoxElement) => Math.max(1, (log.height as number) - 2);

/**
 * The terminal client's screen: it draws the client core's model and turns
 * keys into input. All drawing is batched: events mark what changed, and one
 * render per event-loop turn redraws it, so a replay of hundreds of
 * messages costs one screen update.
 */
export class TerminalApp {
  private readonly layout: Layout;
  private readonly editor = new LineEditor();
  private client: ChatClient | undefined;
  private server = '';
  private secure = false;
  /** The member list: shown where it fits, or as the user asked with F2. */
  private membersShown: 'auto' | 'asked' | 'hidden' = 'auto';
  /** Lines below the visible part that arrived while scrolled up. */
  private newBelow = 0;
  private shownKey: string | undefined;
  private shownCount = 0;
  private dirty = { log: false, side: false, status: false, input: false };
  private renderScheduled = false;
  private statusTicker: NodeJS.Timeout | undefined;
  /** An Enter waiting one turn: if more typed characters follow in the same burst, it was a pasted line break. */
  private pendingEnter: NodeJS.Immediate | undefined;
  private mode: 'chat' | 'prompt' = 'chat';
  private question:
    | {
        spec: Question;
        resolve: (answer: string | undefined) => void;
        problem?: string | undefined;
      }
    | undefined;
  /** Each entry's lines, for a width (forgotten when the entry changes in place). */
  private readonly formatted = new WeakMap<LogEntry, { width: number; lines: string[] }>();
  /** The message whose reaction picker is open (`/react N`), if one is. */
  private picking: string | undefined;
  /** The search listed in the log (`/search`), and how many of its hits are listed. */
  private listedSearch: SearchState | undefined;
  private listedHits = 0;
  /** The input line opens a listed hit: a number and Enter (`open>`). */
  private choosingHit = false;
  /** A message to scroll the log to once it is drawn (a search hit opened). */
  private revealing: string | undefined;

  constructor(
    private readonly screen: Widgets.Screen,
    /** The locale times are written in (the environment's; undefined: 24-hour). */
    private readonly locale?: string,
  ) {
    this.layout = createLayout(screen);
    screen.on('keypress', (ch: string | undefined, key: KeyEvent) => this.onKey(ch, key ?? {}));
    screen.on('resize', () => this.invalidate('log', 'side', 'status', 'input'));
    this.layout.log.on('wheelup', () => this.scroll(-3));
    this.layout.log.on('wheeldown', () => this.scroll(3));
    this.invalidate('status', 'input');
  }

  /** Asks one question in the connect form; undefined when the user gives up (Ctrl-C). */
  ask(spec: Question, context: { server?: string } = {}): Promise<string | undefined> {
    if (context.server !== undefined) this.server = context.server;
    this.mode = 'prompt';
    this.editor.take();
    if (spec.initial) this.editor.insert(spec.initial);
    return new Promise((resolve) => {
      this.question = { spec, resolve };
      this.layout.dialog.show();
      this.invalidate('input', 'status');
    });
  }

  /** Shows the chat of `client` from now on. */
  attach(client: ChatClient, server: string, secure: boolean): void {
    this.client = client;
    this.server = server;
    this.secure = secure;
    client.subscribe((event) => this.onClientEvent(event));
    this.invalidate('log', 'side', 'status');
  }

  /** Stops drawing (before the screen is destroyed). */
  stop(): void {
    if (this.statusTicker) clearInterval(this.statusTicker);
    if (this.pendingEnter) clearImmediate(this.pendingEnter);
  }

  // --- Events ------------------------------------------------------------------

  private onClientEvent(event: ClientEvent): void {
    switch (event.type) {
      case 'entries':
        if (event.key === this.client?.model.currentKey) this.invalidate('log');
        break;
      case 'entry': {
        // Changed in place (reactions, an edit, a delete): formatted anew.
        const changed = this.client?.model.conversations
          .get(event.key)
          ?.entries.find((e) => e.kind === 'message' && e.id === event.id);
        if (changed) this.formatted.delete(changed);
        if (event.key === this.client?.model.currentKey) this.invalidate('log');
        break;
      }
      case 'pick_reaction':
        this.picking = event.id;
        this.invalidate('input');
        break;
      case 'search':
        this.listSearch();
        break;
      case 'found':
        this.revealing = event.id;
        this.invalidate('log');
        break;
      case 'editing': {
        // `/edit` alone: the message's text, in the input to be mended (Esc leaves it as it was).
        const editing = this.client?.editingEntry;
        if (editing) this.editor.restore(editing.text);
        this.invalidate('input');
        break;
      }
      case 'conversations':
        this.invalidate('side', 'status', 'log');
        break;
      case 'members':
      case 'room':
        this.invalidate('side');
        break;
      case 'room_list': {
        // The room list, as lines in the conversation in view: /join one of them.
        const rooms = this.client?.model.roomList ?? [];
        this.client?.model.notice(
          roomsText({ type: 'rooms', rooms }).join('\n'),
          'info',
          Date.now(),
        );
        break;
      }
      case 'mention':
        // The terminal bell, for a mention or a direct message (unless /notify off).
        if (this.client?.notifies) this.screen.program.bell();
        break;
      case 'status':
        this.tickWhileReconnecting(event.status === 'reconnecting');
        this.invalidate('status');
        break;
      case 'name':
        this.invalidate('status');
        break;
      case 'typing':
        if (event.key === this.client?.model.currentKey) this.invalidate('status');
        break;
      case 'name_rejected':
      case 'ended':
        // The command line handles these (it asks again, or exits).
        break;
    }
  }

  private tickWhileReconnecting(on: boolean): void {
    if (on && !this.statusTicker) {
      this.statusTicker = setInterval(() => this.invalidate('status'), 250);
    } else if (!on && this.statusTicker) {
      clearInterval(this.statusTicker);
      this.statusTicker = undefined;
    }
  }

  private onKey(ch: string | undefined, key: KeyEvent): void {
    const action = keyAction(ch, key);
    if (this.pendingEnter && action.type === 'insert') {
      // More text in the same burst as an Enter: a pasted block, not a send.
      clearImmediate(this.pendingEnter);
      this.pendingEnter = undefined;
      this.editor.insert('\n');
    }
    if (this.mode === 'prompt') this.onPromptKey(action);
    else if (this.picking !== undefined) this.onPickKey(action, this.picking);
    else if (!(this.choosingHit && this.onHitKey(action))) this.onChatKey(action);
    this.invalidate('input');
  }

  private onPromptKey(action: KeyAction): void {
    const question = this.question;
    if (!question) return;
    if (action.type === 'quit') {
      this.endQuestion(undefined);
      return;
    }
    if (action.type === 'enter') {
      // A password is taken as typed (spaces too); anything else trimmed.
      const answer = question.spec.secret ? this.editor.text : this.editor.text.trim();
      const problem = question.spec.check(answer);
      if (problem) {
        question.problem = problem;
        return;
      }
      this.editor.take();
      this.endQuestion(answer);
      return;
    }
    this.edit(action);
  }

  private endQuestion(answer: string | undefined): void {
    const question = this.question;
    this.question = undefined;
    this.mode = 'chat';
    this.layout.dialog.hide();
    this.invalidate('log', 'input');
    question?.resolve(answer);
  }

  /** The reaction picker is open: a digit puts that emoji on the message; any other key closes it. */
  private onPickKey(action: KeyAction, id: string): void {
    this.picking = undefined;
    if (action.type === 'quit') {
      this.client?.quit();
      return;
    }
    const emoji =
      action.type === 'insert' && /^[1-9]$/.test(action.text)
        ? REACTION_PICKS[Number(action.text) - 1]
        : undefined;
    if (emoji !== undefined) this.client?.toggleReaction(id, emoji);
  }

  /**
   * Lists the search shown as lines in the log, numbered, as its pages
   * come: the input line then opens one (`open>`).
   */
  private listSearch(): void {
    const state = this.client?.searches.state;
    if (state !== this.listedSearch) this.listedHits = 0;
    this.listedSearch = state;
    if (!state || state.loading) return;
    const model = this.client!.model;
    const now = Date.now();
    if (state.error !== undefined) {
      this.choosingHit = false;
      this.invalidate('input');
      return;
    }
    const fresh = state.hits.slice(this.listedHits);
    const lines: string[] = [];
    if (this.listedHits === 0)
      lines.push(
        state.hits.length === 0
          ? `Nothing found for ${state.query}.`
          : `Found for ${state.query}, newest first (a number and Enter opens one, Esc closes):`,
      );
    fresh.forEach((hit, i) =>
      lines.push(`${this.listedHits + i + 1}. ${hitText(hit, localDayTime, (text) => text)}`),
    );
    if (state.more) lines.push('Enter alone lists older ones.');
    if (lines.length > 0) model.notice(lines.join('\n'), 'info', now);
    this.listedHits = state.hits.length;
    this.choosingHit = state.hits.length > 0;
    this.invalidate('input');
  }

  /**
   * A key while the input line opens a listed hit: Enter with a number
   * opens that one, Enter alone lists older ones, Esc stops; true when
   * the key was that. A line of anything else goes as a line does.
   */
  private onHitKey(action: KeyAction): boolean {
    const client = this.client;
    const state = client?.searches.state;
    if (!client || !state) {
      this.choosingHit = false;
      return false;
    }
    if (action.type === 'newest') {
      this.choosingHit = false;
      return true;
    }
    if (action.type !== 'enter') return false;
    const typed = this.editor.text.trim();
    if (typed === '') {
      if (!client.searches.more()) this.choosingHit = false;
      return true;
    }
    if (!/^\d+$/.test(typed)) {
      this.choosingHit = false;
      return false;
    }
    const hit = state.hits[Number(typed) - 1];
    this.editor.take();
    if (!hit) {
      client.model.notice(
        `There is no hit ${typed}: ${state.hits.length} are listed.`,
        'error',
        Date.now(),
      );
      return true;
    }
    this.choosingHit = false;
    client.openHit(hit);
    return true;
  }

  private onChatKey(action: KeyAction): void {
    const client = this.client;
    switch (action.type) {
      case 'quit':
        client?.quit();
        return;
      case 'enter':
        // Wait one turn: a paste sends its line breaks in the same burst.
        this.pendingEnter ??= setImmediate(() => {
          this.pendingEnter = undefined;
          this.send();
        });
        return;
      case 'tab':
        this.complete();
        return;
      case 'page-up':
        this.scroll(-pageOf(this.layout.log));
        return;
      case 'page-down':
        this.scroll(pageOf(this.layout.log));
        return;
      case 'newest':
        if (client?.editingEntry) {
          client.edit(undefined);
          this.editor.take();
        }
        this.followNewest();
        return;
      case 'next-room':
      case 'previous-room':
        this.switchBy(action.type === 'next-room' ? 1 : -1);
        return;
      case 'room':
        this.switchTo(action.index);
        return;
      case 'toggle-members':
        this.membersShown = this.layout.members.hidden ? 'asked' : 'hidden';
        this.invalidate('side', 'log');
        return;
      default:
        this.edit(action);
        // Others see that a message is being written (the client core says how often).
        client?.input(this.editor.text);
    }
  }

  private edit(action: KeyAction): void {
    const editor = this.editor;
    switch (action.type) {
      case 'insert':
        editor.insert(action.text);
        break;
      case 'backspace':
        editor.backspace();
        break;
      case 'delete':
        editor.deleteForward();
        break;
      case 'left':
        editor.left();
        break;
      case 'right':
        editor.right();
        break;
      case 'home':
        editor.home();
        break;
      case 'end':
        editor.end();
        break;
      case 'up':
        editor.previous();
        break;
      case 'down':
        editor.next();
        break;
      case 'kill-start':
        editor.killToStart();
        break;
      case 'kill-word':
        editor.killWordBack();
        break;
      default:
        break;
    }
  }

  private send(): void {
    const line = this.editor.take();
    // A line that could not go as it is (too long, no link) stays to be
    // mended; a mistyped command is answered in the log and left to recall
    // (Up), so the next line is not typed onto its end.
    const submitted = this.client?.submit(line);
    if (submitted?.kind === 'error' && submitted.mend) this.editor.restore(line);
    this.followNewest();
    this.invalidate('input');
  }

  /** Tab: a command at the start of the line, a room after `#`, else a name. */
  private complete(): void {
    const { word, first } = this.editor.wordBeforeCursor();
    if (first && word.startsWith('/')) {
      this.editor.complete(
        INPUT_COMMANDS.map((command) => `/${command.name}`),
        ' ',
      );
      return;
    }
    if (word.startsWith('#')) {
      this.editor.complete(this.completionRooms(), ' ');
      return;
    }
    this.editor.complete(this.completionNames());
  }

  /** Rooms the user is in, and those of the last room list. */
  private completionRooms(): string[] {
    const model = this.client?.model;
    if (!model) return [];
    return [
      ...model.rooms().map((room) => room.title),
      ...(model.roomList ?? []).map((r) => r.room),
    ];
  }

  private completionNames(): string[] {
    const current = this.client?.model.current();
    const names =
      current && current.target.kind === 'room' ? (current as RoomConversation).members : [];
    const peers = [...(this.client?.model.conversations.values() ?? [])]
      .filter((c) => c.target.kind === 'dm')
      .map((c) => c.title);
    return [...names, ...peers].filter((n) => !this.client?.isSelf(n));
  }

  private switchBy(step: number): void {
    const keys = [...(this.client?.model.conversations.keys() ?? [])];
    if (keys.length === 0) return;
    const at = Math.max(0, keys.indexOf(this.client!.model.currentKey ?? ''));
    this.switchTo((at + step + keys.length) % keys.length);
  }

  private switchTo(index: number): void {
    const conversation = [...(this.client?.model.conversations.values() ?? [])][index];
    if (conversation) this.client!.show(conversation.target);
  }

  // --- Scrolling -----------------------------------------------------------------

  private atBottom(): boolean {
    const log = this.layout.log;
    return log.getScrollPerc() >= 100 || log.getScrollHeight() <= (log.height as number);
  }

  private scroll(lines: number): void {
    const log = this.layout.log;
    log.scroll(lines);
    if (this.atBottom()) this.newBelow = 0;
    // At the top: ask for the page before.
    const current = this.client?.model.current();
    if (lines < 0 && log.getScroll() === 0 && current?.target.kind === 'room')
      this.client!.loadOlder(current.target.room);
    this.invalidate('status');
    this.screen.render();
  }

  private followNewest(): void {
    this.layout.log.setScrollPerc(100);
    this.newBelow = 0;
    this.invalidate('status');
  }

  // --- Drawing -------------------------------------------------------------------

  private invalidate(...parts: Array<keyof TerminalApp['dirty']>): void {
    for (const part of parts) this.dirty[part] = true;
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    setImmediate(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  private render(): void {
    if (this.dirty.side) this.renderSides();
    const dirty = this.dirty;
    this.dirty = { log: false, side: false, status: false, input: false };
    if (dirty.log) this.renderLog();
    if (dirty.status) this.renderStatus();
    if (dirty.input) this.renderInput();
    this.screen.render();
  }

  private renderLog(): void {
    const log = this.layout.log;
    const current = this.client?.model.current();
    if (!current) {
      log.setContent('');
      return;
    }
    const following = this.atBottom();
    const fromBottom = log.getScrollHeight() - log.getScroll();
    const switched = current.key !== this.shownKey;
    const lines: string[] = [];
    // The scrollbar takes the last column.
    const width = Math.max(10, (log.width as number) - 1);
    const now = Date.now();
    let previous: number | undefined;
    let revealAt: number | undefined;
    const newLineAt = firstNewMessage(current);
    for (const entry of current.entries) {
      if (entry === newLineAt) lines.push(formatNewLine());
      if (dayChanges(previous, entry.ts, now)) lines.push(formatDay(dayLabel(entry.ts, now)));
      previous = entry.ts;
      if (entry.kind === 'message' && entry.id === this.revealing) revealAt = lines.length;
      lines.push(...this.linesOf(entry, width));
    }
    if (!switched && !following)
      this.newBelow += Math.max(0, current.entries.length - this.shownCount);
    log.setContent(lines.join('\n'));
    if (switched || following) {
      log.setScrollPerc(100);
      this.newBelow = 0;
    } else {
      // Keep what the reader is looking at in place when lines come in (or older ones go in on top).
      log.setScroll(Math.max(0, log.getScrollHeight() - fromBottom));
    }
    if (revealAt !== undefined) {
      // A hit opened: its first line a few lines from the top.
      this.revealing = undefined;
      log.setScroll(Math.max(0, revealAt - 2));
      if (!this.atBottom()) this.newBelow = 0;
    }
    this.shownKey = current.key;
    this.shownCount = current.entries.length;
    this.dirty.status = true;
  }

  /** An entry's lines at the log's width, formatted once per entry and width. */
  private linesOf(entry: LogEntry, width: number): string[] {
    let formatted = this.formatted.get(entry);
    if (formatted?.width !== width) {
      formatted = { width, lines: formatEntry(entry, width, this.locale) };
      this.formatted.set(entry, formatted);
    }
    return formatted.lines;
  }

  private renderSides(): void {
    const model = this.client?.model;
    const conversations: Conversation[] = model ? [...model.conversations.values()] : [];
    const current = model?.current();
    const members =
      current?.target.kind === 'room' ? (current as RoomConversation).members : undefined;
    const logWidth = this.layout.log.width;
    const logHeight = this.layout.log.height;
    const header = headerLine(current, this.screen.width as number);
    this.layout.header.setContent(header);
    this.layout.arrange(
      paneWidths(this.screen.width as number, {
        rooms: conversations.length > 1,
        members: this.membersShown !== 'hidden' && members !== undefined && this.mode === 'chat',
        membersAsked: this.membersShown === 'asked',
      }),
      header !== '',
    );
    // The log's size changed: its lines wrap anew.
    if (this.layout.log.width !== logWidth || this.layout.log.height !== logHeight)
      this.dirty.log = true;
    // The list's inner width: its box less the two border columns.
    const listWidth = (this.layout.rooms.width as number) - 2;
    this.layout.rooms.setContent(
      conversationLines(conversations, model?.currentKey, listWidth).join('\n'),
    );
    if (members) {
      this.layout.members.setLabel(` ${members.length} here `);
      const nameWidth = (this.layout.members.width as number) - 2;
      this.layout.members.setContent(
        memberLines(current as RoomConversation, nameWidth).join('\n'),
      );
    }
  }

  private renderStatus(): void {
    const client = this.client;
    if (!client) {
      // Still in the connect form: nothing is connecting yet.
      this.layout.status.setContent(
        ` {bold}confab{/bold}  │  ${this.server ? `${escapeTags(this.server)}  │  ` : ''}not connected`,
      );
      return;
    }
    this.layout.status.setContent(
      statusLine({
        server: this.server,
        secure: this.secure,
        status: client.status,
        name: client.model.name,
        account: client.model.account !== undefined,
        current: client.model.current(),
        reconnectInMs: client.reconnectAt - Date.now(),
        newBelow: this.newBelow,
        typing: client.typingIn(),
        ...unreadElsewhere(client),
      }),
    );
  }

  private renderInput(): void {
    const width = this.screen.width as number;
    if (this.mode === 'prompt' && this.question) {
      const { spec, problem } = this.question;
      const dialog = this.layout.dialog;
      const note = spec.note
        ? `{yellow-fg}${safeText(spec.note, { singleLine: true })}{/yellow-fg}`
        : '';
      const error = problem
        ? `{red-fg}${safeText(problem, { singleLine: true })}{/red-fg}`
        : '{gray-fg}Enter to go on, Ctrl-C to give up{/gray-fg}';
      dialog.setContent(
        [
          note,
          '',
          renderInput(
            spec.secret ? '•'.repeat(this.editor.text.length) : this.editor.text,
            this.editor.cursor,
            (dialog.width as number) - 4,
            `${spec.label}: `,
          ),
          '',
          error,
        ].join('\n'),
      );
      this.layout.input.setContent('');
      return;
    }
    if (this.picking !== undefined) {
      const picks = REACTION_PICKS.map((emoji, i) => `{bold}${i + 1}{/bold} ${emoji}`).join('  ');
      this.layout.input.setContent(`React: ${picks}  {gray-fg}(digit picks, Esc closes){/gray-fg}`);
      return;
    }
    // A password typed in /register or /password shows as dots.
    this.layout.input.setContent(
      renderInput(
        maskSecrets(this.editor.text),
        this.editor.cursor,
        width,
        this.choosingHit ? 'open> ' : this.client?.editingEntry ? 'edit> ' : '> ',
      ),
    );
  }
}

/** A time with its day, in local time: `2026-12-06 19:30` (a hit may be from long ago). */
function localDayTime(ts: number): string {
  const date = new Date(ts);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Messages unread in the conversations not in view, and how many are mentions or direct. */
function unreadElsewhere(client: ChatClient): {
  unreadElsewhere: number;
  mentionsElsewhere: number;
} {
  let unread = 0;
  let mentions = 0;
  for (const conversation of client.model.conversations.values()) {
    if (conversation.key === client.model.currentKey) continue;
    unread += conversation.unread;
    mentions += conversation.mentions;
  }
  return { unreadElsewhere: unread, mentionsElsewhere: mentions };
}
