import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../src/index.js';
import { validateClientFrame, validateServerFrame } from '../src/index.js';

function accepts(raw: RawFrame) {
  const result = validateClientFrame(raw);
  if (!result.ok)
    throw new Error(`refused ${JSON.stringify(raw)}: ${result.error.code} ${result.error.message}`);
  return result.frame;
}

function refusal(raw: RawFrame, options = {}) {
  const result = validateClientFrame(raw, options);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(raw)}`);
  return result.error;
}

describe('validateClientFrame', () => {
  it('accepts every client frame type with its fields', () => {
    expect(
      accepts({
        type: 'hello',
        version: 1,
        name: 'ada',
        client: 'test/1',
        resume: { '#general': 5 },
      }),
    ).toEqual({
      type: 'hello',
      version: 1,
      name: 'ada',
      client: 'test/1',
      resume: { '#general': 5 },
    });
    expect(accepts({ type: 'say', room: '#general', text: 'hi', ref: '1' })).toEqual({
      type: 'say',
      room: '#general',
      text: 'hi',
      ref: '1',
    });
    expect(accepts({ type: 'say', room: '#general', text: 'waves', action: true })).toMatchObject({
      action: true,
    });
    expect(accepts({ type: 'dm', to: 'bob', text: 'psst' })).toEqual({
      type: 'dm',
      to: 'bob',
      text: 'psst',
    });
    expect(accepts({ type: 'join', room: '#rust' })).toEqual({ type: 'join', room: '#rust' });
    expect(accepts({ type: 'part', room: '#rust' })).toEqual({ type: 'part', room: '#rust' });
    expect(accepts({ type: 'nick', name: 'ada2' })).toEqual({ type: 'nick', name: 'ada2' });
    expect(accepts({ type: 'who', room: '#general' })).toEqual({ type: 'who', room: '#general' });
    expect(accepts({ type: 'history', room: '#general', before: 10, limit: 200 })).toEqual({
      type: 'history',
      room: '#general',
      before: 10,
      limit: 200,
    });
    expect(accepts({ type: 'history', room: '#general', around: 7, limit: 20 })).toEqual({
      type: 'history',
      room: '#general',
      around: 7,
      limit: 20,
    });
    expect(accepts({ type: 'history', room: '#general' })).toEqual({
      type: 'history',
      room: '#general',
    });
    expect(accepts({ type: 'ping', ref: 'x' })).toEqual({ type: 'ping', ref: 'x' });
    expect(accepts({ type: 'pong' })).toEqual({ type: 'pong' });
    expect(accepts({ type: 'quit', reason: 'bye' })).toEqual({ type: 'quit', reason: 'bye' });
    expect(accepts({ type: 'quit' })).toEqual({ type: 'quit' });
  });

  it('drops unknown fields, and __proto__ with them', () => {
    const raw = JSON.parse(
      '{"type":"say","room":"#general","text":"hi","extra":1,"__proto__":{"admin":true}}',
    );
    const frame = accepts(raw);
    expect(Object.keys(frame)).toEqual(['type', 'room', 'text']);
    expect((frame as unknown as Record<string, unknown>).admin).toBeUndefined();
  });

  it('keeps resume keys off every prototype', () => {
    const frame = accepts(
      JSON.parse('{"type":"hello","version":1,"name":"ada","resume":{"#general":3}}'),
    );
    expect(frame.type === 'hello' && Object.getPrototypeOf(frame.resume)).toBeNull();
    expect(
      refusal(JSON.parse('{"type":"hello","version":1,"name":"ada","resume":{"__proto__":3}}'))
        .code,
    ).toBe('room_invalid');
  });

  it('normalises names to NFC', () => {
    expect(accepts({ type: 'hello', version: 1, name: 're\u0301my' })).toMatchObject({
      name: 'rémy',
    });
  });

  it('gives each refusal its stable code and echoes the ref', () => {
    expect(refusal({ type: 'shout' }).code).toBe('unknown_type');
    expect(refusal({ type: 'constructor' }).code).toBe('unknown_type');
    expect(refusal({ type: '__proto__' }).code).toBe('unknown_type');
    expect(refusal({ type: 'hello', version: 2, name: 'ada' }).code).toBe('unsupported_version');
    expect(refusal({ type: 'hello', version: '1', name: 'ada' }).code).toBe('invalid_field');
    expect(refusal({ type: 'hello', name: 'ada' }).code).toBe('invalid_field');
    expect(refusal({ type: 'hello', version: 1, name: 'a b' }).code).toBe('name_invalid');
    expect(refusal({ type: 'hello', version: 1 }).code).toBe('invalid_field');
    expect(refusal({ type: 'nick', name: '#x' }).code).toBe('name_invalid');
    expect(refusal({ type: 'say', room: 'general', text: 'x', ref: 'r1' })).toMatchObject({
      code: 'room_invalid',
      ref: 'r1',
    });
    expect(refusal({ type: 'say', text: 'x' }).code).toBe('invalid_field');
    expect(refusal({ type: 'say', room: '#general', text: '', ref: 'r2' })).toMatchObject({
      code: 'invalid_field',
      ref: 'r2',
    });
    expect(refusal({ type: 'say', room: '#general', text: 'x'.repeat(4097) }).code).toBe(
      'text_too_long',
    );
    expect(
      refusal({ type: 'say', room: '#general', text: 'x'.repeat(11) }, { maxTextBytes: 10 }).code,
    ).toBe('text_too_long');
    expect(refusal({ type: 'say', room: '#general', text: 'x', ref: 5 }).code).toBe(
      'invalid_field',
    );
    expect(refusal({ type: 'say', room: '#general', text: 'x', action: 'yes' }).code).toBe(
      'invalid_field',
    );
    expect(refusal({ type: 'dm', to: 'not valid', text: 'x' }).code).toBe('no_such_user');
    expect(refusal({ type: 'history', room: '#general', limit: 201 }).code).toBe('invalid_field');
    expect(refusal({ type: 'history', room: '#general', around: 0 }).code).toBe('invalid_field');
    expect(refusal({ type: 'history', room: '#general', around: 4, before: 9 }).code).toBe(
      'invalid_field',
    );
    expect(refusal({ type: 'history', room: '#general', limit: 0 }).code).toBe('invalid_field');
    expect(refusal({ type: 'history', room: '#general', before: 1.5 }).code).toBe('invalid_field');
    expect(refusal({ type: 'hello', version: 1, name: 'ada', resume: [] }).code).toBe(
      'invalid_field',
    );
    expect(
      refusal({ type: 'hello', version: 1, name: 'ada', resume: { '#general': -1 } }).code,
    ).toBe('invalid_field');
    expect(refusal({ type: 'quit', reason: 'x'.repeat(257) }).code).toBe('invalid_field');
  });
});

describe('validateServerFrame', () => {
  it('accepts well-formed server frames', () => {
    const frames: RawFrame[] = [
      {
        type: 'welcome',
        version: 1,
        name: 'ada',
        text: 'hi',
        rooms: ['#general'],
        server: 'confab/0.1.0',
      },
      { type: 'joined', room: '#general', name: 'bob', ts: 1 },
      { type: 'left', room: '#general', name: 'bob', ts: 1, reason: 'quit' },
      { type: 'message', id: 'a', from: 'bob', text: 'hi', ts: 1, room: '#general', seq: 1 },
      { type: 'message', id: 'b', from: 'bob', text: 'hi', ts: 1, to: 'ada' },
      { type: 'ack', ref: '1', id: 'a', ts: 1, seq: 1 },
      { type: 'names', room: '#general', names: ['ada'] },
      { type: 'history', room: '#general', messages: [], more: false },
      { type: 'nick', old: 'a', name: 'b' },
      { type: 'error', code: 'name_taken', message: 'taken' },
      { type: 'ping' },
      { type: 'pong', ref: '1' },
      { type: 'quit', reason: 'server_shutdown' },
    ];
    for (const frame of frames)
      expect(validateServerFrame(frame), frame.type).toMatchObject({ ok: true, frame });
  });

  it('refuses malformed server frames rather than handing the view holes', () => {
    expect(
      validateServerFrame({ type: 'message', id: 'a', from: 'b', ts: 1, room: '#general', seq: 1 })
        .ok,
    ).toBe(false);
    expect(
      validateServerFrame({
        type: 'history',
        room: '#g',
        messages: [{ type: 'message' }],
        more: false,
      }).ok,
    ).toBe(false);
    expect(validateServerFrame({ type: 'novel' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_type' },
    });
  });
});
