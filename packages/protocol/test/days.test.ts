import { describe, expect, it } from 'vitest';
import { clockTime, dayChanges, dayLabel, environmentLocale, sameDay } from '../src/index.js';

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();
const now = at(2026, 12, 2, 9);

describe('days in a log', () => {
  it('names today, yesterday, and other days in full', () => {
    expect(dayLabel(at(2026, 12, 2, 0), now)).toBe('Today');
    expect(dayLabel(at(2026, 12, 1, 23), now)).toBe('Yesterday');
    expect(dayLabel(at(2026, 11, 30), now)).toBe('Monday 30 November 2026');
    expect(dayLabel(at(2025, 12, 2), now)).toBe('Tuesday 2 December 2025');
    // Yesterday across a month and a year.
    expect(dayLabel(at(2026, 12, 31), at(2027, 1, 1, 8))).toBe('Yesterday');
  });

  it('draws a line where the day changes, and above a first entry not from today', () => {
    expect(dayChanges(undefined, at(2026, 12, 2, 1), now)).toBe(false);
    expect(dayChanges(undefined, at(2026, 12, 1, 23), now)).toBe(true);
    expect(dayChanges(at(2026, 12, 1, 23), at(2026, 12, 2, 0), now)).toBe(true);
    expect(dayChanges(at(2026, 12, 2, 0), at(2026, 12, 2, 23), now)).toBe(false);
    expect(sameDay(at(2026, 12, 2, 0), at(2026, 12, 2, 23))).toBe(true);
  });
});

describe('clockTime: one rule for both clients, the person’s locale', () => {
  const at = new Date(2026, 11, 6, 6, 22).getTime();
  const evening = new Date(2026, 11, 6, 18, 5).getTime();

  it('writes the time as the locale does: 24-hour in en-GB and de, with AM and PM in en-US', () => {
    expect(clockTime(evening, 'en-GB')).toBe('18:05');
    expect(clockTime(evening, 'de-DE')).toBe('18:05');
    expect(clockTime(at, 'en-US')).toMatch(/^06:22\sAM$/);
    expect(clockTime(evening, 'en-US')).toMatch(/^06:05\sPM$/);
  });

  it('is 24-hour without a locale, or with one Intl does not know', () => {
    expect(clockTime(evening)).toBe('18:05');
    expect(clockTime(at)).toBe('06:22');
    expect(clockTime(evening, 'not a locale!')).toBe('18:05');
  });

  it('reads the locale of a POSIX environment: LC_ALL, then LC_TIME, then LANG', () => {
    expect(environmentLocale({ LANG: 'en_US.UTF-8' })).toBe('en-US');
    expect(environmentLocale({ LANG: 'en_US.UTF-8', LC_TIME: 'de_DE.UTF-8' })).toBe('de-DE');
    expect(environmentLocale({ LC_ALL: 'fr_FR@euro', LANG: 'en_US.UTF-8' })).toBe('fr-FR');
    for (const none of [{}, { LANG: 'C.UTF-8' }, { LANG: 'POSIX' }, { LANG: 'C' }])
      expect(environmentLocale(none)).toBeUndefined();
  });
});
