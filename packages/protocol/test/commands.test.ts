import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INPUT_COMMANDS, LIMITS, parseInput, validateClientFrame } from '../src/index.js';

const here = { room: '#general' };

describe('parseInput', () => {
  it('says plain text in the current room, newlines and all', () => {
    expect(parseInput('hello', here)).toEqual({
      kind: 'send',
      frame: { type: 'say', room: '#general', text: 'hello' },
    });
    expect(parseInput('a\nb', { room: '#x' })).toEqual({
      kind: 'send',
      frame: { type: 'say', room: '#x', text: 'a\nb' },
    });
    expect(parseInput('psst', { room: '#x', peer: 'bob' })).toEqual({
      kind: 'send',
      frame: { type: 'dm', to: 'bob', text: 'psst' },
    });
  });

  it('quits on <quit> alone and on /quit', () => {
    expect(parseInput('<quit>', here)).toEqual({ kind: 'quit' });
    expect(parseInput('  <quit>  ', here)).toEqual({ kind: 'quit' });
    expect(parseInput('/quit gone fishing', here)).toEqual({
      kind: 'quit',
      reason: 'gone fishing',
    });
    expect(parseInput('/QUIT', here)).toEqual({ kind: 'quit' });
    // Not alone: it is just text.
    expect(parseInput('type <quit> to leave', here)).toMatchObject({ kind: 'send' });
  });

  it('parses every command', () => {
    expect(parseInput('/join #rust', here)).toEqual({
      kind: 'send',
      frame: { type: 'join', room: '#rust' },
    });
    expect(parseInput('/join rust', here)).toEqual({
      kind: 'send',
      frame: { type: 'join', room: '#rust' },
    });
    expect(parseInput('/part', { room: '#rust' })).toEqual({
      kind: 'send',
      frame: { type: 'part', room: '#rust' },
    });
    expect(parseInput('/part #x', here)).toEqual({
      kind: 'send',
      frame: { type: 'part', room: '#x' },
    });
    expect(parseInput('/msg bob hi there', here)).toEqual({
      kind: 'send',
      frame: { type: 'dm', to: 'bob', text: 'hi there' },
    });
    expect(parseInput('/me waves', here)).toEqual({
      kind: 'send',
      frame: { type: 'say', room: '#general', text: 'waves', action: true },
    });
    expect(parseInput('/nick ada2', here)).toEqual({
      kind: 'send',
      frame: { type: 'nick', name: 'ada2' },
    });
    expect(parseInput('/who', here)).toEqual({
      kind: 'send',
      frame: { type: 'who', room: '#general' },
    });
    expect(parseInput('/who #x', here)).toEqual({
      kind: 'send',
      frame: { type: 'who', room: '#x' },
    });
    expect(parseInput('/help', here)).toMatchObject({ kind: 'help' });
    expect(parseInput('//etc/passwd is a path', here)).toEqual({
      kind: 'send',
      frame: { type: 'say', room: '#general', text: '/etc/passwd is a path' },
    });
  });

  it('explains malformed commands instead of dropping them', () => {
    for (const line of [
      '/join',
      '/join #bad room',
      '/join #é',
      '/msg',
      '/msg bob',
      '/msg #x hi',
      '/nick',
      '/nick a b',
      '/me',
      '/frobnicate',
      '/',
      `${'x'.repeat(5000)}`,
    ]) {
      const action = parseInput(line, here);
      expect(action.kind, line).toBe('error');
      expect(action.kind === 'error' && action.message.length).toBeGreaterThan(5);
    }
  });

  it('ignores empty input', () => {
    expect(parseInput('   ', here)).toEqual({ kind: 'none' });
  });

  it('lists every command in the help text', () => {
    const help = parseInput('/help', here);
    for (const command of INPUT_COMMANDS)
      expect(help.kind === 'help' && help.text).toContain(command.usage);
  });

  it('never throws, and what it sends is valid to send (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .constantFrom('/join ', '/msg ', '/nick ', '/me ', '/part ', '/who ')
            .chain((c) => fc.string().map((s) => c + s)),
        ),
        (line) => {
          const action = parseInput(line, here);
          expect(['send', 'quit', 'help', 'error', 'none']).toContain(action.kind);
          // What it would send, the server's own validation takes.
          if (action.kind === 'send') {
            const checked = validateClientFrame({ ...action.frame });
            expect(checked.ok, JSON.stringify({ line, checked })).toBe(true);
          }
        },
      ),
    );
  });
});

describe('what a mistake leaves in the input', () => {
  it('marks a message too long as one to mend, and a mistyped command as one for recall', () => {
    expect(parseInput('x'.repeat(LIMITS.maxTextBytes + 1), { room: '#general' })).toMatchObject({
      kind: 'error',
      mend: true,
    });
    const typo = parseInput('/nickk ada');
    expect(typo).toMatchObject({ kind: 'error', message: expect.stringContaining('/nickk') });
    expect(typo).not.toHaveProperty('mend');
    expect(parseInput('/join')).not.toHaveProperty('mend');
  });
});
