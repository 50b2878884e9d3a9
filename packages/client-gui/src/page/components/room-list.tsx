import type { ChatClient } from '@confab/protocol';
import { escapeControls } from '@confab/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * The room list (`/list`) as a panel to browse: each room with its people
 * and topic, and a button to join it; a filter asks the server again.
 */
export function RoomList({ client, onClose }: { client: ChatClient; onClose: () => void }) {
  const [filter, setFilter] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const rooms = client.model.roomList;
  useEffect(() => field.current?.focus(), []);
  const ask = (text: string) => client.submit(text.trim() ? `/list ${text.trim()}` : '/list');
  return (
    <section
      class="room-list"
      role="dialog"
      aria-labelledby="room-list-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header>
        <h2 id="room-list-title">Rooms</h2>
        <button type="button" class="small" onClick={onClose}>
          Close
        </button>
      </header>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          ask(filter);
        }}
      >
        <label>
          Find a room{' '}
          <input
            ref={field}
            type="search"
            value={filter}
            placeholder="name or topic"
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
        <button type="submit" class="small">
          Search
        </button>
      </form>
      {rooms === undefined ? (
        <p class="hint">Asking the server…</p>
      ) : rooms.length === 0 ? (
        <p class="hint">No room to list{filter ? ' for that' : ''}.</p>
      ) : (
        <ul>
          {rooms.map((room) => {
            const joined = client.model.room(room.room) !== undefined;
            return (
              <li key={room.room}>
                <span class="room-name">{room.room}</span>
                <span class="people">
                  {room.members} {room.members === 1 ? 'person' : 'people'}
                </span>
                {room.topic !== undefined && (
                  <span class="topic" dir="auto">
                    {escapeControls(room.topic, { singleLine: true })}
                  </span>
                )}
                <button
                  type="button"
                  class="small"
                  aria-label={joined ? `Go to ${room.room}` : `Join ${room.room}`}
                  onClick={() => {
                    if (joined) client.show({ kind: 'room', room: room.room });
                    else client.submit(`/join ${room.room}`);
                    onClose();
                  }}
                >
                  {joined ? 'Go' : 'Join'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
