import { describe, expect, it } from 'vitest';
import { expandTabs, wrapText } from '../src/index.js';

/** Every character one column: enough to test where lines break. */
const oneEach = (text: string) => [...text].length;

describe('wrapping', () => {
  it('breaks at spaces, drops the spaces it breaks at, and splits a word longer than a line', () => {
    expect(wrapText('one two three four', 9, 9, oneEach)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('x'.repeat(25), 10, 8, oneEach)).toEqual(['xxxxxxxxxx', 'xxxxxxxx', 'xxxxxxx']);
    expect(wrapText(`a${' '.repeat(200)}b`, 10, 10, oneEach)).toEqual(['a', 'b']);
  });

  it('expands tabs to the next multiple of eight columns', () => {
    expect(expandTabs('a\tb', oneEach)).toBe(`a${' '.repeat(7)}b`);
    expect(expandTabs('abcdefgh\tb', oneEach)).toBe(`abcdefgh${' '.repeat(8)}b`);
    expect(expandTabs('no tab', oneEach)).toBe('no tab');
  });
});
