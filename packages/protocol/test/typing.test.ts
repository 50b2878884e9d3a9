import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  TypingState,
  TypingTeller,
  parseInput,
  typingText,
  validateClientFrame,
  validateServerFrame,
} from '../src/index.js';

describe('typing frames', () => {
  it('takes a room or a person, one of them, and stopped', () => {
    expect(validateClientFrame({ type: 'typing', room: '#den' })).toEqual({
      ok: true,
      frame: { type: 'typing', room: '#den' },
    });
    expect(validateClientFrame({ type: 'typing', to: 'bob', stopped: true })).toEqual({
      ok: true,
      frame: { type: 'typing', to: 'bob', stopped: true },
    });
    const code = (fields: Record<string, unknown>) => {
      const result = validateClientFrame({ type: 'typing', ...fields });
      return result.ok ? 'ok' : result.error.code;
    };
    expect(code({})).toBe('invalid_field');
    expect(code({ room: '#den', to: 'bob' })).toBe('invalid_field');
    expect(code({ room: 'den' })).toBe('room_invalid');
    // As for a direct message: a name no one could have is no one.
    expect(code({ to: '' })).toBe('no_such_user');
    expect(validateServerFrame({ type: 'typing', name: 'bob', room: '#den' })).toEqual({
      ok: true,
      frame: { type: 'typing', name: 'bob', room: '#den' },
    });
    expect(validateServerFrame({ type: 'typing' })).toMatchObject({ ok: false });
  });

  it('has /typing on|off, a setting that sends nothing', () => {
    expect(parseInput('/typing off', {})).toEqual({ kind: 'typing', on: false });
    expect(parseInput('/typing ON', {})).toEqual({ kind: 'typing', on: true });
    expect(parseInput('/typing maybe', {})).toMatchObject({ kind: 'error' });
  });
});

describe('who is typing', () => {
  it('shows a writer until they stop, their message comes, or the time runs out', () => {
    const state = new TypingState();
    expect(state.heard('room:#den', 'bob', false, 0)).toBe(true);
    // News from someone already showing changes nothing on screen.
    expect(state.heard('room:#den', 'Bob', false, 1_000)).toBe(false);
    expect(state.heard('room:#den', 'cy', false, 1_000)).toBe(true);
    expect(state.names('room:#den', 2_000)).toEqual(['Bob', 'cy']);
    expect(state.said('room:#den', 'cy')).toBe(true);
    expect(state.expire(1_000 + LIMITS.typingShowMs - 1)).toEqual({
      changed: [],
      next: 1_000 + LIMITS.typingShowMs,
    });
    expect(state.expire(1_000 + LIMITS.typingShowMs)).toEqual({
      changed: ['room:#den'],
      next: undefined,
    });
    expect(state.names('room:#den', 1_000 + LIMITS.typingShowMs)).toEqual([]);
  });

  it('keeps a bounded number of writers', () => {
    const state = new TypingState();
    for (let i = 0; i < 100; i++) state.heard('room:#big', `w${i}`, false, 0);
    expect(state.names('room:#big', 1).length).toBeLessThanOrEqual(16);
  });

  it('says it in words', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['bob'])).toBe('bob is typing…');
    expect(typingText(['bob', 'cy'])).toBe('bob and cy are typing…');
    expect(typingText(['a', 'b', 'c', 'd', 'e'])).toBe('a, b and 3 others are typing…');
  });

  it('tells of a message being written every few seconds, of stopping once, and of commands never', () => {
    const teller = new TypingTeller();
    expect(teller.input('room:#den', 'h', 0)).toBe('typing');
    expect(teller.input('room:#den', 'he', 100)).toBeUndefined();
    expect(teller.input('room:#den', 'hel', LIMITS.typingEveryMs)).toBe('typing');
    expect(teller.input('room:#den', '', LIMITS.typingEveryMs + 1)).toBe('stopped');
    expect(teller.input('room:#den', '', LIMITS.typingEveryMs + 2)).toBeUndefined();
    expect(teller.input('room:#den', '/join #x', 0)).toBeUndefined();
    expect(teller.input('room:#den', 'x', 10)).toBe('typing');
    teller.sent();
    expect(teller.input('room:#den', '', 20)).toBeUndefined();
    expect(teller.input('room:#den', 'y', 30)).toBe('typing');
  });
});
