import { describe, expect, it } from 'vitest';
import { dayChanges, dayLabel, sameDay } from '../src/index.js';

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
