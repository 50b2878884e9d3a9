import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfabError,
  ERROR_CODES,
  ERROR_CODE_LIST,
  errorCloses,
  isErrorCode,
} from '../src/index.js';

const spec = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('are unique, documented, and documented with whether they close', () => {
    expect(new Set(ERROR_CODE_LIST).size).toBe(ERROR_CODE_LIST.length);
    for (const code of ERROR_CODE_LIST) {
      const row = spec.split('\n').find((line) => line.startsWith(`| \`${code}\``));
      expect(row, `PROTOCOL.md documents ${code}`).toBeDefined();
      expect(row!.split('|')[2]!.trim(), `closes column of ${code}`).toBe(
        errorCloses(code) ? 'yes' : 'no',
      );
      expect(ERROR_CODES[code].doc.length).toBeGreaterThan(10);
    }
  });

  it('include every code of the contract', () => {
    const contract = [
      'bad_frame',
      'frame_too_large',
      'unknown_type',
      'invalid_field',
      'not_registered',
      'already_registered',
      'unsupported_version',
      'name_invalid',
      'name_taken',
      'room_invalid',
      'not_in_room',
      'no_such_user',
      'text_too_long',
      'rate_limited',
      'slow_consumer',
      'handshake_timeout',
      'server_full',
      'internal',
    ];
    for (const code of contract) expect(isErrorCode(code), code).toBe(true);
    expect(ERROR_CODE_LIST.filter(errorCloses).sort()).toEqual([
      'frame_too_large',
      'handshake_timeout',
      'server_full',
      'slow_consumer',
      'unsupported_version',
    ]);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('wrap unknown failures as internal, keeping the cause', () => {
    const cause = new TypeError('boom');
    const wrapped = ConfabError.from(cause);
    expect(wrapped.code).toBe('internal');
    expect(wrapped.cause).toBe(cause);
    const coded = new ConfabError('name_taken', 'taken');
    expect(ConfabError.from(coded)).toBe(coded);
  });
});
