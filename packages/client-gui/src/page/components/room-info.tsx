import type { RoomConversation } from '@confab/protocol';
import { escapeControls, modesWords } from '@confab/protocol';

/** Under the room's name: its topic, whose it is and its modes. Text only: a topic is data. */
export function RoomInfo({ room }: { room: RoomConversation }) {
  const state = room.state;
  if (!state) return null;
  const owner = state.operators
    ? "owned by the server's operators"
    : state.owner !== undefined
      ? `owned by ${escapeControls(state.owner, { singleLine: true })}`
      : 'no owner: /claim it';
  return (
    <div class="room-info">
      <span class={state.topic === undefined ? 'topic none' : 'topic'} dir="auto">
        {state.topic === undefined ? 'No topic' : escapeControls(state.topic, { singleLine: true })}
      </span>
      <span class="about">
        {owner} · {state.closed ? 'closed' : modesWords(state)}
      </span>
    </div>
  );
}
