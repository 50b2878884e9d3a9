import type { RoomConversation } from '@confab/protocol';
import { modesWords } from '@confab/protocol';

/** Under the room's name: its topic, whose it is and its modes. Text only: a topic is data. */
export function RoomInfo({ room }: { room: RoomConversation }) {
  const state = room.state;
  if (!state) return null;
  const owner = state.operators
    ? "owned by the server's operators"
    : state.owner !== undefined
      ? `owned by ${state.owner}`
      : 'no owner: /claim it';
  return (
    <div class="room-info">
      <span class={state.topic === undefined ? 'topic none' : 'topic'}>
        {state.topic ?? 'No topic'}
      </span>
      <span class="about">
        {owner} · {state.closed ? 'closed' : modesWords(state)}
      </span>
    </div>
  );
}
