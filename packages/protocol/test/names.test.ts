import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkName, checkRoom, foldName, foldRoom } from '../src/index.js';

describe('names', () => {
  it('accepts ordinary names and returns their NFC form', () => {
    expect(checkName('ada')).toEqual({ ok: true, value: 'ada' });
    expect(checkName('Zoë')).toEqual({ ok: true, value: 'Zoë' });
    // "e" + combining acute becomes the single code point é.
    expect(checkName('re\u0301my')).toEqual({ ok: true, value: 'rémy' });
    expect(checkName('李小龍')).toMatchObject({ ok: true });
    expect(checkName('x'.repeat(32))).toMatchObject({ ok: true });
    // 32 code points of 2 UTF-16 units each.
    expect(checkName('😀'.repeat(32))).toMatchObject({ ok: true });
  });

  it('refuses empty, long, spaced, control, invisible and #-names', () => {
    for (const bad of [
      '',
      'x'.repeat(33),
      '😀'.repeat(33),
      'a b',
      'a\tb',
      'a\u0007',
      'a\u200bb',
      'a\u202eb',
      '#room',
      'a\u00a0b',
      // Invisible fillers: a Hangul filler, a blank Braille pattern, a half-width Hangul filler.
      'ad\u3164min',
      '\u3164',
      'admin\u2800',
      '\uffa0x',
      '\ud800',
      7,
      null,
    ]) {
      expect(checkName(bad), JSON.stringify(bad)).toMatchObject({ ok: false });
    }
  });

  it('folds case fully: Σ, σ and ς are one name, ß is ss', () => {
    expect(foldName('ΣΑΣ')).toBe(foldName('σας'));
    expect(foldName('Σ')).toBe(foldName('ς'));
    expect(foldName('Straße')).toBe(foldName('STRASSE'));
    expect(foldName('ẞ')).toBe(foldName('ss'));
    expect(foldName('ADA')).toBe('ada');
    expect(foldName('re\u0301my')).toBe(foldName('RÉMY'));
  });

  it('folds compatibility forms: full-width and mathematical letters are the plain name', () => {
    expect(foldName('ａｄｍｉｎｋｌ９')).toBe('adminkl9');
    expect(foldName('𝐚𝐝𝐦𝐢𝐧𝐤𝐥𝟗')).toBe('adminkl9');
    expect(foldName('ＡＤＡ')).toBe(foldName('ada'));
  });

  it('folding is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(foldName(foldName(s))).toBe(foldName(s));
      }),
    );
  });

  it('checks rooms and folds them ignoring ASCII case', () => {
    expect(checkRoom('#general')).toEqual({ ok: true, value: '#general' });
    expect(checkRoom('#a-b_C9')).toMatchObject({ ok: true });
    expect(checkRoom(`#${'x'.repeat(64)}`)).toMatchObject({ ok: true });
    for (const bad of ['general', '#', `#${'x'.repeat(65)}`, '#a b', '#é', '##', 5]) {
      expect(checkRoom(bad), String(bad)).toMatchObject({ ok: false });
    }
    expect(foldRoom('#General')).toBe(foldRoom('#GENERAL'));
  });
});
