import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchBlessedWidths } from '../src/ui/unicode-width.js';

const require = createRequire(import.meta.url);

describe('blessed widths', () => {
  it('measures emoji and CJK as two columns, marks as none, after the patch', () => {
    patchBlessedWidths();
    const unicode = require('blessed/lib/unicode.js') as {
      strWidth: (s: string) => number;
      chars: { all: RegExp };
    };
    expect(unicode.strWidth('🎉')).toBe(2);
    expect(unicode.strWidth('日本語')).toBe(6);
    expect(unicode.strWidth('e\u0301')).toBe(1);
    expect(unicode.strWidth('abc')).toBe(3);
    // Every wide character gets its second cell, so the next one is not eaten.
    expect('a🎉b日c'.replace(unicode.chars.all, '$1\u0003')).toBe('a🎉\u0003b日\u0003c');
  });
});
