import type { ChatClient, Conversation, RoomConversation } from '@confab/protocol';
import { escapeControls, foldName, replyExcerpt, typingText } from '@confab/protocol';
import { useEffect, useState } from 'preact/hooks';
import { askForNotificationsOnce, keepSendsTyping } from '../settings.js';
import { screenKey } from '../keys.js';
import { Composer } from './composer.js';
import { MemberList } from './members.js';
import { MessageList, Name } from './messages.js';
import { RoomInfo } from './room-info.js';
import { RoomList } from './room-list.js';
import { SearchPanel } from './search.js';
import { You } from './you.js';
import { useClientUpdates, useTicker } from './use-client.js';

interface Props {
  client: ChatClient;
  server: string;
}

const STATUS_TEXT: Record<string, string> = {
  connecting: 'Connecting…',
  awaiting_welcome: 'Signing in…',
  awaiting_name: 'Choose a name',
  registered: 'Connected',
  reconnecting: 'Reconnecting…',
  quitting: 'Leaving…',
  closed: 'Disconnected',
};

function ConversationButton({
  conversation,
  current,
  onSelect,
}: {
  conversation: Conversation;
  current: boolean;
  onSelect: () => void;
}) {
  const label =
    conversation.unread > 0
      ? `${conversation.title}, ${conversation.unread} unread${conversation.mentions > 0 ? ', mentions you' : ''}`
      : conversation.title;
  return (
    <li>
      <button
        type="button"
        class={current ? 'conversation current' : 'conversation'}
        aria-current={current ? 'page' : undefined}
        aria-label={label}
        onClick={onSelect}
      >
        <bdi class="title">
          {conversation.target.kind === 'dm' ? '@ ' : ''}
          {escapeControls(conversation.title, { singleLine: true })}
        </bdi>
        {conversation.unread > 0 && (
          <span class={conversation.mentions > 0 ? 'badge mention' : 'badge'} aria-hidden="true">
            {conversation.unread}
          </span>
        )}
      </button>
    </li>
  );
}

/** A titled list of conversations; nothing at all when there are none (no empty heading). */
function ConversationList(props: {
  title: string;
  conversations: Conversation[];
  currentKey: string | undefined;
  onSelect: (c: Conversation) => void;
}) {
  if (props.conversations.length === 0) return null;
  return (
    <>
      <h2>{props.title}</h2>
      <ul class="conversations">
        {props.conversations.map((c) => (
          <ConversationButton
            key={c.key}
            conversation={c}
            current={c.key === props.currentKey}
            onSelect={() => props.onSelect(c)}
          />
        ))}
      </ul>
    </>
  );
}

/** Whether the user moderates the room (owns it or is a moderator): they may delete others' messages. */
function moderatesHere(room: RoomConversation, name: string): boolean {
  const role = room.roles.get(foldName(name));
  return role === 'owner' || role === 'moderator';
}

/** The chat: conversations and members at the sides, messages and the input in the middle. */
export function ChatScreen({ client, server }: Props) {
  useClientUpdates(client);
  const [drawer, setDrawer] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  // The search panel: its button, or `/search` typed.
  const [searching, setSearching] = useState(false);
  const model = client.model;
  const status = client.status;
  const current = model.current();
  const conversations = [...model.conversations.values()];
  const room = current?.target.kind === 'room' ? (current as RoomConversation) : undefined;
  const answering = client.answeringEntry;
  const editing = client.editingEntry;
  // The message whose reaction picker is open: its React button, or `/react N` typed.
  const [picking, setPicking] = useState<string | undefined>(undefined);
  // A reply's original, loaded to be shown (a new object each time, so each is shown).
  const [reveal, setReveal] = useState<{ id: string } | undefined>(undefined);
  // The room list opens wherever it was asked for: the button, or `/list` typed.
  useEffect(
    () =>
      client.subscribe((event) => {
        if (event.type === 'room_list') setBrowsing(true);
        else if (event.type === 'search' && client.searches.state) setSearching(true);
        else if (event.type === 'pick_reaction') setPicking(event.id);
        else if (event.type === 'found') setReveal({ id: event.id });
      }),
    [client],
  );
  useTicker(status === 'reconnecting', 250);
  // Back in front: what came meanwhile in the conversation in view is read now.
  useEffect(() => {
    const seen = () => {
      if (!document.hidden) client.markRead();
    };
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);
    return () => {
      document.removeEventListener('visibilitychange', seen);
      window.removeEventListener('focus', seen);
    };
  }, [client]);
  const unread = conversations.reduce((sum, c) => sum + c.unread, 0);
  useEffect(() => {
    const title = current ? `${escapeControls(current.title, { singleLine: true })} — ` : '';
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${title}Confab`;
  }, [unread, current?.title]);

  const select = (conversation: Conversation) => {
    client.show(conversation.target);
    setDrawer(false);
  };
  // As the side panel lists them: rooms, then direct messages.
  const listed = [
    ...conversations.filter((c) => c.target.kind === 'room'),
    ...conversations.filter((c) => c.target.kind === 'dm'),
  ];
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const key = screenKey(event);
      if (!key) return;
      if (key.kind === 'close') {
        // A menu handles its own Esc first; then the room list, then the side panel.
        if (event.defaultPrevented) return;
        if (searching) setSearching(false);
        else if (browsing) setBrowsing(false);
        else if (drawer) setDrawer(false);
        else return;
      } else if (key.kind === 'conversation') {
        const target = listed[key.index];
        if (!target) return;
        select(target);
      } else {
        const at = listed.findIndex((c) => c.key === current?.key);
        const target = listed[(at + key.by + listed.length) % listed.length];
        if (!target) return;
        select(target);
      }
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
  const reconnectIn = Math.max(0, Math.ceil((client.reconnectAt - Date.now()) / 1000));
  return (
    <div class={drawer ? 'chat drawer-open' : 'chat'}>
      <header class="top">
        <button
          type="button"
          class="drawer-toggle"
          aria-expanded={drawer}
          aria-controls="sidebar"
          aria-label="Rooms and members"
          onClick={() => setDrawer(!drawer)}
        >
          ☰
        </button>
        <h1 class="room-title">
          <bdi>{current ? escapeControls(current.title, { singleLine: true }) : 'Confab'}</bdi>
        </h1>
        <span class={`status ${status}`} role="status">
          {STATUS_TEXT[status]}
        </span>
        <span class="me">
          <Name name={model.name} self /> <span class="server">on {server}</span>
        </span>
        <button
          type="button"
          class="small search-button"
          aria-expanded={searching}
          onClick={() => setSearching(!searching)}
        >
          Search
        </button>
        <button type="button" class="leave" onClick={() => client.quit()}>
          Leave
        </button>
      </header>
      {status === 'reconnecting' && (
        <div class="banner" role="alert">
          Connection lost. Reconnecting in {reconnectIn}s… Messages you missed will appear when it
          is back.
        </div>
      )}
      <nav id="sidebar" class="sidebar" aria-label="Rooms and direct messages">
        <You client={client} />
        <ConversationList
          title="Rooms"
          conversations={conversations.filter((c) => c.target.kind === 'room')}
          currentKey={current?.key}
          onSelect={select}
        />
        <ConversationList
          title="Direct messages"
          conversations={conversations.filter((c) => c.target.kind === 'dm')}
          currentKey={current?.key}
          onSelect={select}
        />
        <button
          type="button"
          class="small browse"
          onClick={() => {
            client.submit('/list');
            setBrowsing(true);
            setDrawer(false);
          }}
        >
          Browse rooms
        </button>
        <p class="hint">
          <kbd>Enter</kbd> sends, <kbd>Shift+Enter</kbd> starts a new line. <kbd>/join #room</kbd>{' '}
          joins a room, <kbd>/msg name text</kbd> writes to one person, <kbd>Alt+1</kbd>…
          <kbd>Alt+9</kbd> go to a conversation, <kbd>/help</kbd> lists the rest.
        </p>
      </nav>
      <main class="main">
        {room && <RoomInfo room={room} />}
        {current ? (
          <MessageList
            conversation={current}
            onTop={() => current.target.kind === 'room' && client.loadOlder(current.target.room)}
            onReply={(entry) => client.answer(entry.id)}
            onReact={(entry, emoji) => client.toggleReaction(entry.id, emoji)}
            picking={picking}
            onPick={setPicking}
            onEdit={(entry) => client.edit(entry.id)}
            onDelete={(entry) => {
              // Asked first: a delete cannot be undone.
              if (window.confirm('Delete this message for everyone?'))
                client.deleteMessage(entry.id);
            }}
            moderates={room !== undefined && moderatesHere(room, model.name)}
            onMissing={(id) => client.seek(id)}
            reveal={reveal}
          />
        ) : (
          <p class="empty">You are in no room. Type /join #general to join one.</p>
        )}
        <p class="typing" aria-live="polite">
          {typingText(client.typingIn().map((name) => escapeControls(name, { singleLine: true })))}
        </p>
        <Composer
          label={current ? `Message ${current.title}` : 'Message'}
          disabled={status === 'closed'}
          onSend={(text) => {
            // Asked once, on a person's own action, never as the page opens.
            askForNotificationsOnce();
            // Too long, or no link: it stays to be mended. A mistyped command is
            // answered in the log, and Up brings it back.
            const submitted = client.submit(text);
            if (submitted.kind === 'typing') keepSendsTyping(submitted.on);
            return !(submitted.kind === 'error' && submitted.mend);
          }}
          onType={(text) => client.input(text)}
          answering={answering && { from: answering.from, text: replyExcerpt(answering).text }}
          onCancelAnswer={() => client.answer(undefined)}
          editing={editing && { id: editing.id, text: editing.text }}
          onCancelEdit={() => client.edit(undefined)}
        />
      </main>
      {room && <MemberList client={client} room={room} />}
      {browsing && <RoomList client={client} onClose={() => setBrowsing(false)} />}
      {searching && <SearchPanel client={client} onClose={() => setSearching(false)} />}
    </div>
  );
}
