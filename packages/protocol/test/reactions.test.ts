import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../src/index.js';
import {
  ChatModel,
  LIMITS,
  isReaction,
  parseInput,
  reactionProblem,
  validateClientFrame,
  validateServerFrame,
} from '../src/index.js';

describe('what a reaction is', () => {
  it('is one emoji: a picture with its modifiers and joiners, a flag, a keycap', () => {
    for (const emoji of ['👍', '❤️', '👍🏽', '👩‍👩‍👧', '🏳️‍🌈', '🇫🇷', '1️⃣', '#️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '©️'])
      expect(reactionProblem(emoji), emoji).toBeUndefined();
    for (const text of ['', 'a', 'ok', '1', '👍👍', '👍 ', ' 👍', 'x👍', '👍\n', '\u0000', '🇫', 42])
      expect(isReaction(text), String(text)).toBe(false);
    expect(reactionProblem('👍'.repeat(LIMITS.maxReactionBytes))).toMatch(/at most/);
  });
});

describe('reaction frames', () => {
  it('takes a room, a message id, an emoji and remove', () => {
    expect(
      validateClientFrame({
        type: 'react',
        room: '#den',
        id: 'm1',
        emoji: '👍',
        remove: true,
        ref: 'r',
      }),
    ).toEqual({
      ok: true,
      frame: { type: 'react', room: '#den', id: 'm1', emoji: '👍', remove: true, ref: 'r' },
    });
    const code = (fields: Record<string, unknown>) => {
      const result = validateClientFrame({
        type: 'react',
        room: '#den',
        id: 'm1',
        emoji: '👍',
        ...fields,
      });
      return result.ok ? 'ok' : result.error.code;
    };
    expect(code({})).toBe('ok');
    expect(code({ emoji: 'yes' })).toBe('invalid_field');
    expect(code({ id: undefined })).toBe('invalid_field');
    expect(code({ id: 'x'.repeat(LIMITS.maxRefChars + 1) })).toBe('invalid_field');
    expect(code({ remove: 'yes' })).toBe('invalid_field');
    expect(code({ room: 'den' })).toBe('room_invalid');
  });

  it('reads the server frames, and a message’s reactions, keeping only what is well made', () => {
    const reaction = {
      type: 'reaction',
      room: '#den',
      id: 'm1',
      seq: 3,
      rev: 7,
      emoji: '🎉',
      name: 'bob',
      count: 0,
      removed: true,
    };
    expect(validateServerFrame(reaction)).toEqual({ ok: true, frame: reaction });
    expect(validateServerFrame({ ...reaction, emoji: 'no' })).toMatchObject({ ok: false });
    expect(validateServerFrame({ ...reaction, rev: 0 })).toMatchObject({ ok: false });
    const message = {
      type: 'message',
      room: '#den',
      id: 'm1',
      seq: 3,
      from: 'ada',
      text: 'hi',
      ts: 1,
    };
    const history = validateServerFrame({
      type: 'history',
      room: '#den',
      more: false,
      rev: 7,
      messages: [
        {
          ...message,
          reactions: [
            { emoji: '👍', count: 2, me: true },
            { emoji: 'text', count: 1 },
            { emoji: '🎉', count: 0 },
            { emoji: '😮', count: 1, me: 'yes' },
          ],
        },
      ],
    });
    expect(history).toEqual({
      ok: true,
      frame: {
        type: 'history',
        room: '#den',
        more: false,
        rev: 7,
        messages: [
          {
            ...message,
            reactions: [
              { emoji: '👍', count: 2, me: true },
              { emoji: '😮', count: 1 },
            ],
          },
        ],
      },
    });
    expect(
      validateServerFrame({
        type: 'update',
        room: '#den',
        id: 'm1',
        seq: 3,
        rev: 8,
        from: 'ada',
        reactions: [],
      }),
    ).toMatchObject({ ok: true, frame: { reactions: [] } });
  });
});

describe('/react', () => {
  it('names the message back, 1 when left out, and an emoji, or asks for one', () => {
    expect(parseInput('/react 👍', {})).toEqual({ kind: 'react', back: 1, emoji: '👍' });
    expect(parseInput('/react 3 🎉', {})).toEqual({ kind: 'react', back: 3, emoji: '🎉' });
    expect(parseInput('/react 2', {})).toEqual({ kind: 'react', back: 2 });
    expect(parseInput('/react', {})).toEqual({ kind: 'react', back: 1 });
    expect(parseInput('/react 0 👍', {})).toMatchObject({ kind: 'error' });
    expect(parseInput('/react 2 yes', {})).toMatchObject({ kind: 'error' });
    expect(parseInput('/react 2 👍 🎉', {})).toMatchObject({ kind: 'error' });
  });
});

describe('reactions in the model', () => {
  const message = (id: string, seq: number) => ({
    type: 'message' as const,
    room: '#den',
    id,
    seq,
    from: 'bob',
    text: `message ${seq}`,
    ts: seq,
  });

  function room() {
    const model = new ChatModel();
    model.setName('ada');
    model.ensureRoom('#den');
    model.applyHistory(
      {
        type: 'history',
        room: '#den',
        more: false,
        rev: 4,
        messages: [{ ...message('m1', 1), reactions: [{ emoji: '👍', count: 2, me: true }] }],
      },
      false,
    );
    model.applyMessage(message('m2', 2));
    const events: ModelEvent[] = [];
    model.events.add((event) => events.push(event));
    const reactionsOf = (id: string) => {
      const entry = model.room('#den')!.entries.find((e) => e.kind === 'message' && e.id === id);
      return entry?.kind === 'message' ? entry.reactions : undefined;
    };
    return { model, events, reactionsOf };
  }

  const reaction = (fields: Record<string, unknown>) =>
    ({
      type: 'reaction',
      room: '#den',
      id: 'm1',
      seq: 1,
      emoji: '👍',
      name: 'bob',
      ...fields,
    }) as Parameters<ChatModel['applyReaction']>[0];

  it('counts live changes, marks the user’s own, and drops an emoji no one has', () => {
    const { model, events, reactionsOf } = room();
    model.applyReaction(reaction({ rev: 5, emoji: '🎉', count: 1 }));
    model.applyReaction(reaction({ rev: 6, name: 'Ada', count: 1, removed: true }));
    expect(reactionsOf('m1')).toEqual([
      { emoji: '👍', count: 1 },
      { emoji: '🎉', count: 1 },
    ]);
    model.applyReaction(reaction({ rev: 7, emoji: '🎉', name: 'ada', count: 2 }));
    model.applyReaction(reaction({ rev: 8, count: 0, removed: true }));
    expect(reactionsOf('m1')).toEqual([{ emoji: '🎉', count: 2, me: true }]);
    expect(events).toContainEqual({ type: 'entry', key: 'room:#den', id: 'm1' });
    expect(model.room('#den')!.lastRev).toBe(8);
  });

  it('skips a change it has (an older rev), and takes a message’s reactions whole from an update', () => {
    const { model, reactionsOf } = room();
    model.applyReaction(reaction({ rev: 4, emoji: '🎉', count: 1 }));
    expect(reactionsOf('m1')).toEqual([{ emoji: '👍', count: 2, me: true }]);
    model.applyUpdate({
      type: 'update',
      room: '#den',
      id: 'm2',
      seq: 2,
      rev: 9,
      from: 'bob',
      reactions: [{ emoji: '😮', count: 1 }],
    });
    expect(reactionsOf('m2')).toEqual([{ emoji: '😮', count: 1 }]);
    // An update of a message not held moves the rev on all the same.
    model.applyUpdate({
      type: 'update',
      room: '#den',
      id: 'gone',
      seq: 1,
      rev: 10,
      from: 'bob',
      reactions: [],
    });
    expect(model.room('#den')!.lastRev).toBe(10);
  });
});
