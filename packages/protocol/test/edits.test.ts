import { describe, expect, it } from 'vitest';
import { ChatModel, parseInput, validateClientFrame, validateServerFrame } from '../src/index.js';

describe('edit and delete frames', () => {
  it('take a room, a message id and (an edit) a text', () => {
    expect(
      validateClientFrame({ type: 'edit', room: '#den', id: 'm1', text: 'new', ref: 'e' }),
    ).toEqual({
      ok: true,
      frame: { type: 'edit', room: '#den', id: 'm1', text: 'new', ref: 'e' },
    });
    expect(validateClientFrame({ type: 'delete', room: '#den', id: 'm1' })).toEqual({
      ok: true,
      frame: { type: 'delete', room: '#den', id: 'm1' },
    });
    const code = (frame: Record<string, unknown>) => {
      const result = validateClientFrame(frame as { type: string });
      return result.ok ? 'ok' : result.error.code;
    };
    expect(code({ type: 'edit', room: '#den', id: 'm1', text: '' })).toBe('invalid_field');
    expect(code({ type: 'edit', room: '#den', id: 'm1', text: 'x'.repeat(5000) })).toBe(
      'text_too_long',
    );
    expect(code({ type: 'edit', room: '#den', text: 'x' })).toBe('invalid_field');
    expect(code({ type: 'delete', room: '#den' })).toBe('invalid_field');
  });

  it('read the server’s news of them, and a tombstone in history', () => {
    const edited = {
      type: 'edited',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 2,
      from: 'ada',
      text: 'new',
      edited: 5,
    };
    expect(validateServerFrame(edited)).toEqual({ ok: true, frame: edited });
    expect(validateServerFrame({ ...edited, text: 3 })).toMatchObject({ ok: false });
    const deleted = {
      type: 'deleted',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 3,
      from: 'ada',
      deleted_by: 'mod',
    };
    expect(validateServerFrame(deleted)).toEqual({ ok: true, frame: deleted });
    const tombstone = {
      type: 'message',
      room: '#den',
      id: 'm1',
      seq: 1,
      from: 'ada',
      text: '',
      ts: 1,
      deleted: true,
      deleted_by: 'mod',
      reply: { id: 'm0', from: 'bob', text: '', deleted: true },
    };
    expect(validateServerFrame(tombstone)).toEqual({ ok: true, frame: tombstone });
  });
});

describe('/edit and /delete', () => {
  it('name the message back, or the user’s own newest', () => {
    expect(parseInput('/edit fixed text', {})).toEqual({ kind: 'edit', text: 'fixed text' });
    expect(parseInput('/edit 2 fixed text', {})).toEqual({
      kind: 'edit',
      back: 2,
      text: 'fixed text',
    });
    // A number alone is the text: there is nothing after it to be the text.
    expect(parseInput('/edit 42', {})).toEqual({ kind: 'edit', text: '42' });
    expect(parseInput('/edit', {})).toEqual({ kind: 'edit' });
    expect(parseInput(`/edit ${'x'.repeat(5000)}`, {})).toMatchObject({
      kind: 'error',
      mend: true,
    });
    expect(parseInput('/delete', {})).toEqual({ kind: 'delete' });
    expect(parseInput('/delete 3', {})).toEqual({ kind: 'delete', back: 3 });
    expect(parseInput('/delete three', {})).toMatchObject({ kind: 'error' });
  });
});

describe('edits and deletes in the model', () => {
  function room() {
    const model = new ChatModel();
    model.setName('ada');
    model.ensureRoom('#den');
    const message = (id: string, seq: number, text: string, reply?: string) => ({
      type: 'message' as const,
      room: '#den',
      id,
      seq,
      from: seq === 1 ? 'bob' : 'ada',
      text,
      ts: seq,
      ...(reply ? { reply: { id: reply, from: 'bob', text: 'ada, the plan?' } } : {}),
    });
    model.applyMessage(message('m1', 1, 'ada, the plan?'));
    model.applyMessage(message('m2', 2, 'here it is', 'm1'));
    const entry = (id: string) => {
      const found = model.room('#den')!.entries.find((e) => e.kind === 'message' && e.id === id);
      if (found?.kind !== 'message') throw new Error(`no ${id}`);
      return found;
    };
    return { model, entry };
  }

  it('gives an edited message its new text, and the replies quoting it', () => {
    const { model, entry } = room();
    expect(entry('m1').mention).toBe(true);
    model.applyEdited({
      type: 'edited',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 1,
      from: 'bob',
      text: 'what is the plan?',
      edited: 7,
    });
    expect(entry('m1')).toMatchObject({ text: 'what is the plan?', edited: 7, mention: false });
    expect(entry('m2').reply).toEqual({ id: 'm1', from: 'bob', text: 'what is the plan?' });
  });

  it('shows a deleted message as deleted, its reactions and its quotes gone; an old change is skipped', () => {
    const { model, entry } = room();
    model.applyReaction({
      type: 'reaction',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 1,
      emoji: '👍',
      name: 'cy',
      count: 1,
    });
    model.applyDeleted({
      type: 'deleted',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 2,
      from: 'bob',
      deleted_by: 'mod',
    });
    expect(entry('m1')).toMatchObject({
      text: '',
      deleted: true,
      deletedBy: 'mod',
      mention: false,
    });
    expect(entry('m1').reactions).toBeUndefined();
    expect(entry('m2').reply).toEqual({ id: 'm1', from: 'bob', text: '', deleted: true });
    // An edit numbered before the delete changes nothing.
    model.applyEdited({
      type: 'edited',
      room: '#den',
      id: 'm1',
      seq: 1,
      rev: 2,
      from: 'bob',
      text: 'back',
      edited: 9,
    });
    expect(entry('m1').text).toBe('');
  });
});
