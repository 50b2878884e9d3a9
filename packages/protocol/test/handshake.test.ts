import { describe, expect, it } from 'vitest';
import type { ClientHandshakeEvent, ClientHandshakeState } from '../src/index.js';
import { clientHandshakeStep, serverFrameGate, serverHandshakeStep } from '../src/index.js';

function run(events: ClientHandshakeEvent[], from: ClientHandshakeState = 'connecting') {
  let state = from;
  const effects: string[] = [];
  for (const event of events) {
    const t = clientHandshakeStep(state, event);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

describe('client handshake', () => {
  it('connects, registers, and quits with the handshake', () => {
    expect(run([{ type: 'transport_open' }, { type: 'welcome' }])).toEqual({
      state: 'registered',
      effects: ['send_hello', 'registered'],
    });
    expect(run([{ type: 'user_quit' }, { type: 'server_quit' }], 'registered')).toEqual({
      state: 'closed',
      effects: ['send_quit', 'start_quit_timer', 'close_transport', 'ended_by_user'],
    });
  });

  it('closes anyway when the server does not answer quit in time', () => {
    const timedOut = run([{ type: 'user_quit' }, { type: 'quit_timeout' }], 'registered');
    expect(timedOut.state).toBe('closed');
    expect(timedOut.effects).toEqual(
      expect.arrayContaining(['send_quit', 'start_quit_timer', 'close_transport', 'ended_by_user']),
    );
    // The link is closed once, after the quit was sent.
    expect(timedOut.effects.filter((e) => e === 'close_transport')).toHaveLength(1);
    expect(timedOut.effects.indexOf('close_transport')).toBeGreaterThan(
      timedOut.effects.indexOf('send_quit'),
    );
  });

  it('asks for another name after name_taken or name_invalid, on the same link', () => {
    const afterTaken = run([{ type: 'transport_open' }, { type: 'rejected', code: 'name_taken' }]);
    expect(afterTaken).toEqual({ state: 'awaiting_name', effects: ['send_hello', 'ask_name'] });
    expect(run([{ type: 'name_given' }, { type: 'welcome' }], 'awaiting_name').state).toBe(
      'registered',
    );
    expect(run([{ type: 'rejected', code: 'name_invalid' }], 'awaiting_welcome').state).toBe(
      'awaiting_name',
    );
  });

  it('stops on a closing refusal instead of reconnecting in a loop', () => {
    expect(run([{ type: 'rejected', code: 'server_full' }], 'awaiting_welcome').effects).toEqual([
      'close_transport',
      'ended_by_server',
    ]);
    expect(run([{ type: 'rejected', code: 'invalid_field' }], 'awaiting_welcome').state).toBe(
      'awaiting_welcome',
    );
  });

  it('tells a server-initiated quit from a lost link', () => {
    expect(run([{ type: 'server_quit' }], 'registered').effects).toEqual([
      'close_transport',
      'ended_by_server',
    ]);
    expect(run([{ type: 'transport_closed' }], 'registered').effects).toEqual(['lost']);
    expect(run([{ type: 'transport_closed' }], 'quitting').effects).toEqual(['ended_by_user']);
  });

  it('ignores everything once closed', () => {
    expect(run([{ type: 'welcome' }, { type: 'transport_open' }], 'closed')).toEqual({
      state: 'closed',
      effects: [],
    });
  });
});

describe('server handshake', () => {
  it('allows only hello, ping, pong and quit before registration', () => {
    expect(serverFrameGate('awaiting_hello', 'hello')).toBeUndefined();
    expect(serverFrameGate('awaiting_hello', 'quit')).toBeUndefined();
    expect(serverFrameGate('awaiting_hello', 'say')).toBe('not_registered');
    expect(serverFrameGate('registered', 'hello')).toBe('already_registered');
    expect(serverFrameGate('registered', 'say')).toBeUndefined();
    expect(serverFrameGate('quitting', 'say')).toBeNull();
  });

  it('moves through its states', () => {
    expect(serverHandshakeStep('awaiting_hello', 'hello_accepted')).toBe('registered');
    expect(serverHandshakeStep('awaiting_hello', 'handshake_timeout')).toBe('closed');
    expect(serverHandshakeStep('registered', 'handshake_timeout')).toBe('registered');
    expect(serverHandshakeStep('registered', 'quit')).toBe('quitting');
    expect(serverHandshakeStep('quitting', 'transport_closed')).toBe('closed');
    expect(serverHandshakeStep('closed', 'hello_accepted')).toBe('closed');
  });
});
