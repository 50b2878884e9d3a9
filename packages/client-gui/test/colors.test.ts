import { describe, expect, it } from 'vitest';
import { NAME_HUES, nameHue } from '../src/page/colors.js';

/** Degrees between two hues, around the circle. */
const apart = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

describe('name colours', () => {
  it('are hues at least 30 degrees apart, so two of them are told apart at a glance', () => {
    for (const [i, a] of NAME_HUES.entries())
      for (const b of NAME_HUES.slice(i + 1)) expect(apart(a, b)).toBeGreaterThanOrEqual(30);
  });

  it('give each name one of them, the same whatever its case, and spread names over all', () => {
    expect(nameHue('Ada')).toBe(nameHue('ada'));
    const used = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const hue = nameHue(`user${i}`);
      expect(NAME_HUES).toContain(hue);
      used.add(hue);
    }
    expect(used.size).toBe(NAME_HUES.length);
  });
});
