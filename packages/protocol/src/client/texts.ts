import type { SessionInfo } from '../frames.js';
import { dayLabel } from './days.js';

/** `/sessions` as lines for the log. */
export function sessionsText(sessions: SessionInfo[], now: number): string {
  const when = (ts: number) => {
    const date = new Date(ts);
    const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
    const day = dayLabel(ts, now);
    return day === 'Today' || day === 'Yesterday'
      ? `${day.toLowerCase()} at ${time}`
      : `on ${day} at ${time}`;
  };
  return [
    `Your sessions (${sessions.length}); /revoke ID logs one out:`,
    ...sessions.map(
      (s) =>
        // The current session's last use is now: it says which one it is instead.
        `  ${s.id}  ${s.client}, logged in ${when(s.created)}, ${s.current ? 'this one' : `last used ${when(s.seen)}`}`,
    ),
  ].join('\n');
}

/** The start of a text, on one line, for a notice about it. */
export function excerpt(text: string, max = 40): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
