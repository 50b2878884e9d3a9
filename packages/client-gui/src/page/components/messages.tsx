import type { Conversation, LogEntry, MessageEntry } from '@confab/protocol';
import {
  REACTION_PICKS,
  clockTime,
  dayChanges,
  dayLabel,
  escapeControls,
  firstNewMessage,
} from '@confab/protocol';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { nameHue } from '../colors.js';
import { linkify } from '../linkify.js';

interface Props {
  conversation: Conversation;
  /** Asks for older history (the list is scrolled to its top). */
  onTop: () => void;
  /** The person pressed a message's Reply button. */
  onReply: (entry: MessageEntry) => void;
  /** The message a quoted line names is not loaded here: it is looked for further back. */
  onMissing: (id: string) => void;
  /** A message to bring into view and mark (found further back). */
  reveal?: { id: string } | undefined;
  /** The person put an emoji on a message, or took theirs off. */
  onReact: (entry: MessageEntry, emoji: string) => void;
  /** The message whose reaction picker is open, if one is. */
  picking: string | undefined;
  /** Opens the picker of a message, or (undefined) closes it. */
  onPick: (id: string | undefined) => void;
  /** The person pressed Edit on their message, or Delete on a message they may delete. */
  onEdit: (entry: MessageEntry) => void;
  onDelete: (entry: MessageEntry) => void;
  /** Whether the person may delete others' messages here (they moderate the room). */
  moderates: boolean;
}

/** What an entry's buttons do. */
interface Actions {
  reply: (entry: MessageEntry) => void;
  /** Goes to the message with this id, in the list. */
  goTo: (id: string) => void;
  react: (entry: MessageEntry, emoji: string) => void;
  picking: string | undefined;
  pick: (id: string | undefined) => void;
  edit: (entry: MessageEntry) => void;
  remove: (entry: MessageEntry) => void;
  moderates: boolean;
}

/** A message's reactions: a button each, with its count; the person's own pressed. */
function Reactions({ entry, actions }: { entry: MessageEntry; actions: Actions }) {
  if (!entry.reactions || entry.reactions.length === 0) return null;
  return (
    <span class="reactions">
      {entry.reactions.map((reaction) => (
        <button
          key={reaction.emoji}
          type="button"
          class={reaction.me ? 'reaction mine' : 'reaction'}
          aria-pressed={reaction.me === true}
          aria-label={`${reaction.emoji} ${reaction.count}${reaction.me ? ', yours' : ''}`}
          onClick={() => actions.react(entry, reaction.emoji)}
        >
          {reaction.emoji} <span class="count">{reaction.count}</span>
        </button>
      ))}
    </span>
  );
}

/** The emoji to put on a message: Esc or a second click on React closes it. */
function Picker({ entry, actions }: { entry: MessageEntry; actions: Actions }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <span
      class="picker"
      role="menu"
      aria-label="Put a reaction on this message"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        actions.pick(undefined);
      }}
    >
      {REACTION_PICKS.map((emoji, i) => (
        <button
          key={emoji}
          ref={i === 0 ? first : undefined}
          type="button"
          role="menuitem"
          onClick={() => {
            actions.react(entry, emoji);
            actions.pick(undefined);
          }}
        >
          {emoji}
        </button>
      ))}
    </span>
  );
}

/** Keys for entries: stable for the life of an entry object. */
const keys = new WeakMap<LogEntry, number>();
let nextKey = 1;
function keyOf(entry: LogEntry): number {
  let key = keys.get(entry);
  if (key === undefined) keys.set(entry, (key = nextKey++));
  return key;
}

/** The time as the person's language writes it: the rule the terminal client follows too. */
function clock(ts: number): string {
  return clockTime(ts, navigator.language);
}

/**
 * A name in its colour. Text only: a name is data. Its controls are shown
 * escaped, as the terminal client shows them, and it is isolated (`<bdi>`),
 * so a right-to-left name cannot reorder what is around it.
 */
export function Name({ name, self }: { name: string; self?: boolean }) {
  return (
    <bdi class={self ? 'name self' : 'name'} style={{ '--hue': String(nameHue(name)) }}>
      {escapeControls(name, { singleLine: true })}
    </bdi>
  );
}

/**
 * Message text as text nodes and safe links; never HTML. Controls and
 * invisible characters are shown escaped (a right-to-left override would
 * turn `txt.exe` into `exe.txt`), and the text takes its direction from
 * itself without reordering the name before it.
 */
function Text({ text }: { text: string }) {
  return (
    <span class="text" dir="auto">
      {linkify(escapeControls(text)).map((part, i) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ),
      )}
    </span>
  );
}

/**
 * A listing (`/help`, `/sessions`, `/bans`…): lines laid out in columns
 * with spaces, as the terminal client shows them, so they are drawn in a
 * fixed-width font to keep their columns.
 */
function isListing(text: string): boolean {
  return /\n {2}\S/.test(text);
}

function Entry({ entry, actions }: { entry: LogEntry; actions: Actions }) {
  const time = (
    <time dateTime={new Date(entry.ts).toISOString()} class="time">
      {clock(entry.ts)}
    </time>
  );
  if (entry.kind === 'system') {
    return (
      <li class={`system ${entry.tone}`}>
        {time}
        <span class={isListing(entry.text) ? 'body text listing' : 'body text'} dir="auto">
          {escapeControls(entry.text)}
        </span>
      </li>
    );
  }
  const classes = [
    'message',
    entry.self ? 'own' : '',
    entry.mention ? 'mention' : '',
    entry.action ? 'action' : '',
  ]
    .filter(Boolean)
    .join(' ');
  // The body is one grid column: a long or multi-line text wraps under the name, not under the time.
  const reply = entry.reply;
  // Reactions, edits and deletes are for kept messages: a room's (with a
  // seq) and the direct messages kept for the user (with a dseq).
  const changeable = entry.seq !== undefined || entry.dseq !== undefined;
  const from = escapeControls(entry.from, { singleLine: true });
  if (entry.deleted)
    return (
      <li class="message deleted" data-id={entry.id}>
        {time}
        <span class="body">
          <span class="tombstone">
            Message from <Name name={entry.from} self={entry.self} /> deleted
            {entry.deletedBy !== undefined && entry.deletedBy !== entry.from && (
              <>
                {' by '}
                <Name name={entry.deletedBy} />
              </>
            )}
          </span>
        </span>
      </li>
    );
  return (
    <li class={classes} data-id={entry.id}>
      {time}
      <span class="body">
        {reply && (
          <button
            type="button"
            class="quote"
            title="Go to the message this answers"
            onClick={() => actions.goTo(reply.id)}
          >
            <span aria-hidden="true">↪ </span>
            <Name name={reply.from} />
            {': '}
            {reply.deleted ? (
              <em>message deleted</em>
            ) : (
              <span dir="auto">{escapeControls(reply.text, { singleLine: true })}</span>
            )}
          </button>
        )}
        {entry.action && <span aria-hidden="true">* </span>}
        <Name name={entry.from} self={entry.self} /> <Text text={entry.text} />
        {entry.edited !== undefined && (
          <span class="edited" title={`edited ${clock(entry.edited)}`}>
            {' '}
            (edited)
          </span>
        )}
        {changeable && <Reactions entry={entry} actions={actions} />}
        {changeable && actions.picking === entry.id && <Picker entry={entry} actions={actions} />}
      </span>
      <span class="message-buttons">
        {changeable && (
          <button
            type="button"
            class="react-button"
            aria-expanded={actions.picking === entry.id}
            aria-label={`React to ${from}`}
            onClick={() => actions.pick(actions.picking === entry.id ? undefined : entry.id)}
          >
            React
          </button>
        )}
        <button
          type="button"
          class="reply-button"
          aria-label={`Reply to ${from}`}
          onClick={() => actions.reply(entry)}
        >
          Reply
        </button>
        {changeable && entry.self && (
          <button
            type="button"
            class="edit-button"
            aria-label="Edit your message"
            onClick={() => actions.edit(entry)}
          >
            Edit
          </button>
        )}
        {changeable && (entry.self || actions.moderates) && (
          <button
            type="button"
            class="delete-button"
            aria-label={entry.self ? 'Delete your message' : `Delete the message from ${from}`}
            onClick={() => actions.remove(entry)}
          >
            Delete
          </button>
        )}
      </span>
    </li>
  );
}

/** The entries, with a line where the day changes (keyed by the entry after it). */
function withDays(entries: LogEntry[], actions: Actions, newLineAt: LogEntry | undefined) {
  const now = Date.now();
  const items = [];
  let previous: number | undefined;
  for (const entry of entries) {
    if (entry === newLineAt)
      items.push(
        <li key="new-line" class="new-line" role="separator" aria-label="New messages">
          <span>New messages</span>
        </li>,
      );
    if (dayChanges(previous, entry.ts, now))
      items.push(
        <li key={`day-${keyOf(entry)}`} class="day">
          <span>{dayLabel(entry.ts, now)}</span>
        </li>,
      );
    previous = entry.ts;
    items.push(<Entry key={keyOf(entry)} entry={entry} actions={actions} />);
  }
  return items;
}

/** Pixels from the bottom that still count as "at the newest message". */
const NEAR_BOTTOM = 48;

/**
 * The message list, a live region for screen readers. It follows new
 * messages while the reader is at the bottom; scrolled up, it stays put and
 * counts what arrived below. At the top it asks for older history and keeps
 * the reader's place when that history goes in above.
 */
export function MessageList({
  conversation,
  onTop,
  onReply,
  onMissing,
  onReact,
  picking,
  onPick,
  onEdit,
  onDelete,
  moderates,
  reveal,
}: Props) {
  const list = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const [unseen, setUnseen] = useState(0);
  const seen = useRef({
    key: conversation.key,
    count: conversation.entries.length,
    first: conversation.entries[0],
    height: 0,
  });

  // Where the reader was, read before the DOM changes.
  const element = list.current;
  const previousHeight = element ? element.scrollHeight : 0;
  const previousTop = element ? element.scrollTop : 0;

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const last = seen.current;
    const switched = last.key !== conversation.key;
    const prepended =
      !switched &&
      last.first !== conversation.entries[0] &&
      conversation.entries.length > last.count;
    if (switched || following) {
      el.scrollTop = el.scrollHeight;
      setUnseen(0);
    } else if (prepended) {
      el.scrollTop = previousTop + (el.scrollHeight - previousHeight);
    } else if (conversation.entries.length > last.count) {
      setUnseen((n) => n + conversation.entries.length - last.count);
    }
    if (switched) setFollowing(true);
    seen.current = {
      key: conversation.key,
      count: conversation.entries.length,
      first: conversation.entries[0],
      height: el.scrollHeight,
    };
  });

  useEffect(() => {
    // A list too short to scroll cannot reach its top by scrolling: ask at once.
    const el = list.current;
    if (el && el.scrollHeight <= el.clientHeight) onTop();
  }, [conversation.key]);

  const onScroll = () => {
    const el = list.current!;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
    setFollowing(atBottom);
    if (atBottom) setUnseen(0);
    if (el.scrollTop < NEAR_BOTTOM) onTop();
  };

  /** Brings the message `id` into view and marks it a moment; one not loaded is looked for. */
  const goTo = (id: string, seek = true) => {
    const target = [...(list.current?.querySelectorAll<HTMLElement>('li[data-id]') ?? [])].find(
      (item) => item.dataset.id === id,
    );
    if (!target) {
      if (seek) onMissing(id);
      return;
    }
    setFollowing(false);
    target.scrollIntoView({ block: 'center' });
    target.classList.remove('flash');
    void target.offsetWidth;
    target.classList.add('flash');
  };

  // Found further back: shown once it is in the list.
  useEffect(() => {
    if (reveal) goTo(reveal.id, false);
  }, [reveal]);

  const title =
    conversation.target.kind === 'room'
      ? conversation.title
      : `conversation with ${conversation.title}`;
  return (
    <div class="messages">
      <div
        ref={list}
        class="log"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={`Messages in ${title}`}
        tabIndex={0}
        onScroll={onScroll}
      >
        <ol class="entries">
          {withDays(
            conversation.entries,
            {
              reply: onReply,
              goTo,
              react: onReact,
              picking,
              pick: onPick,
              edit: onEdit,
              remove: onDelete,
              moderates,
            },
            firstNewMessage(conversation),
          )}
        </ol>
      </div>
      {!following && unseen > 0 && (
        <button
          type="button"
          class="new-messages"
          onClick={() => {
            const el = list.current!;
            el.scrollTop = el.scrollHeight;
            setFollowing(true);
            setUnseen(0);
          }}
        >
          {unseen} new {unseen === 1 ? 'message' : 'messages'} ↓
        </button>
      )}
    </div>
  );
}
