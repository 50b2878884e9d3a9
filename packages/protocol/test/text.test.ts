import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText, escapeControls, utf8ByteLength } from '../src/index.js';

// What a terminal could act on: C0 but tab and LF, DEL, C1, bidi overrides.
// eslint-disable-next-line no-control-regex
const ACTIVE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('text', () => {
  it('counts UTF-8 bytes as TextEncoder does (property)', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(utf8ByteLength(s)).toBe(encoder.encode(s).length);
      }),
    );
  });

  it('accepts 1 to 4096 bytes and codes the rest', () => {
    expect(checkText('hi')).toBeUndefined();
    expect(checkText('line one\nline two')).toBeUndefined();
    expect(checkText('x'.repeat(4096))).toBeUndefined();
    expect(checkText('é'.repeat(2048))).toBeUndefined();
    expect(checkText('x'.repeat(4097))).toMatchObject({ code: 'text_too_long' });
    expect(checkText('é'.repeat(2049))).toMatchObject({ code: 'text_too_long' });
    expect(checkText('')).toMatchObject({ code: 'invalid_field' });
    expect(checkText(42)).toMatchObject({ code: 'invalid_field' });
    expect(checkText('\ud800')).toMatchObject({ code: 'invalid_field' });
  });

  it('escapes everything a terminal could act on', () => {
    expect(escapeControls('\u001b[2J\u001b]0;pwned\u0007')).toBe('^[[2J^[]0;pwned^G');
    expect(escapeControls('a\bb\rc\u007f\u009bd')).toBe('a^Hb^Mc^?\\u009bd');
    expect(escapeControls('tab\tand\nline')).toBe('tab\tand\nline');
    expect(escapeControls('a\nb', { singleLine: true })).toBe('a^Jb');
    expect(escapeControls('abc\u202edef')).toBe('abc\\u202edef');
  });

  it('shows what is there but shows as nothing, and keeps what emoji and scripts join with', () => {
    expect(escapeControls('a\u200bb\u200ec\u200fd\u061ce')).toBe(
      'a\\u200bb\\u200ec\\u200fd\\u061ce',
    );
    expect(escapeControls('tag\u{e0041}\u{e0042}')).toBe('tag\\u{e0041}\\u{e0042}');
    expect(escapeControls('line\u2028sep', { singleLine: true })).toBe('line\\u2028sep');
    expect(escapeControls('filler\u3164')).toBe('filler\\u3164');
    // A family (ZWJ), a coloured heart (a variation selector), Scotland's flag (a tag sequence),
    // and Persian with a zero-width non-joiner: all as they are.
    for (const kept of [
      '👨‍👩‍👧',
      '❤️',
      '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}',
      'می‌خواهم',
    ])
      expect(escapeControls(kept)).toBe(kept);
  });

  it('leaves no control character in escaped text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(escapeControls(s)).not.toMatch(ACTIVE_CONTROLS);
      }),
    );
  });
});
