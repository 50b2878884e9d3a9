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

/** Formatters by locale: a handful at most (a view uses one). */
const CLOCKS = new Map<string, Intl.DateTimeFormat>();

/**
 * A time of day, hours and minutes, as `locale` writes it (`06:22` in
 * en-GB or de, `06:22 AM` in en-US). Both clients use this one rule: the
 * page with the browser's language, the terminal client with the
 * environment's locale. Without a locale (C, POSIX, none set): 24-hour.
 */
export function clockTime(ts: number, locale?: string): string {
  const key = locale ?? '';
  let format = CLOCKS.get(key);
  if (!format) {
    try {
      format = locale
        ? new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })
        : new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      // A locale Intl does not know: 24-hour, as with none.
      return clockTime(ts);
    }
    if (CLOCKS.size < 8) CLOCKS.set(key, format);
  }
  return format.format(ts);
}

/**
 * The locale a POSIX environment asks for, as a BCP 47 tag
 * (`en_US.UTF-8` → `en-US`); undefined for C, POSIX or none.
 */
export function environmentLocale(env: Record<string, string | undefined>): string | undefined {
  const posix = env.LC_ALL || env.LC_TIME || env.LANG || '';
  const tag = posix.replace(/[.@].*$/, '').replace(/_/g, '-');
  if (!tag || tag === 'C' || tag === 'POSIX') return undefined;
  return /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(tag) ? tag : undefined;
}
