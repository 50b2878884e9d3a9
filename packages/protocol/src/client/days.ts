/*
 * Days in a conversation log: both clients draw a line where the day
 * changes between two entries, named the same way. Local time: a day is
 * the reader's day.
 */

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Whether two times fall on the same local day. */
export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return (
    x.getFullYear() === y.getFullYear() &&
    x.getMonth() === y.getMonth() &&
    x.getDate() === y.getDate()
  );
}

/** `Today`, `Yesterday`, or the date in full (`Monday 30 November 2026`). */
export function dayLabel(ts: number, now: number): string {
  if (sameDay(ts, now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (sameDay(ts, yesterday.getTime())) return 'Yesterday';
  const date = new Date(ts);
  return `${WEEKDAYS[date.getDay()]} ${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
}

/**
 * Whether a day line goes before the entry at `ts`, after one at
 * `previousTs` (undefined for the first entry): when the day changes, and
 * above a first entry that is not from today.
 */
export function dayChanges(previousTs: number | undefined, ts: number, now: number): boolean {
  return previousTs === undefined ? !sameDay(ts, now) : !sameDay(previousTs, ts);
}
