import { describe, expect, it } from 'vitest';
import type { MessageEntry, RawFrame } from '../src/index.js';
import { ChatModel, targetKey, validateClientFrame, validateServerFrame } from '../src/index.js';
import { FakeServer, ManualClock, settle, startedClient } from './fake-server.js';

describe('changes to direct messages on the wire', () => {
  it('name a room, or dm: true, never both', () => {
    const code = (frame: RawFrame) => {
      const result = validateClientFrame(frame);
      return result.ok ? result.frame : result.error.code;
    };
    expect(code({ type: 'react', dm: true, id: 'm1', emoji: '👍' })).toEqual({
      type: 'react',
      dm: true,
      id: 'm1',
      emoji: '👍',
    });
    expect(code({ type: 'edit', dm: true, id: 'm1', text: 'fixed' })).toEqual({
      type: 'edit',
      dm: true,
      id: 'm1',
      text: 'fixed',
    });
    expect(code({ type: 'delete', dm: true, id: 'm1' })).toEqual({
      type: 'delete',
      dm: true,
      id: 'm1',
    });
    expect(code({ type: 'delete', id: 'm1' })).toBe('invalid_field');
    expect(code({ type: 'delete', dm: true, room: '#den', id: 'm1' })).toBe('invalid_field');
    expect(code({ type: 'delete', dm: 'yes', id: 'm1' })).toBe('invalid_field');
    expect(code({ type: 'delete', dm: false, room: '#den', id: 'm1' })).toBe('invalid_field');
    expect(code({ type: 'hello', version: 1, name: 'ada', dseq: 4, drev: 2 })).toMatchObject({
      dseq: 4,
      drev: 2,
    });
    expect(code({ type: 'hello', version: 1, name: 'ada', drev: -1 })).toBe('invalid_field');
  });

  it('are read with the message’s dseq in place of a room and seq', () => {
    const read = (frame: RawFrame) => {
      const result = validateServerFrame(frame);
      return result.ok ? result.frame : undefined;
    };
    const reaction = { type: 'reaction', id: 'm1', rev: 3, emoji: '👍', name: 'bob', count: 1 };
    expect(read({ ...reaction, dseq: 7 })).toEqual({ ...reaction, dseq: 7 });
    expect(read(reaction)).toBeUndefined();
    expect(read({ ...reaction, room: '#den' })).toBeUndefined();
    expect(
      read({ type: 'deleted', id: 'm1', dseq: 7, rev: 4, from: 'a', deleted_by: 'a' }),
    ).toEqual({ type: 'deleted', id: 'm1', dseq: 7, rev: 4, from: 'a', deleted_by: 'a' });
    expect(read({ type: 'dm_history', messages: [], more: false, rev: 5 })).toEqual({
      type: 'dm_history',
      messages: [],
      more: false,
      rev: 5,
    });
  });
});

describe('changes to direct messages in the model', () => {
  function conversation() {
    const model = new ChatModel();
    model.setName('ada');
    model.applyDirectHistory(
      {
        type: 'dm_history',
        more: false,
        rev: 2,
        messages: [
          { type: 'message', id: 'd1', from: 'bob', to: 'ada', text: 'hi', ts: 1, dseq: 1 },
          {
            type: 'message',
            id: 'd2',
            from: 'ada',
            to: 'bob',
            text: 'quoting',
            ts: 2,
            dseq: 2,
            reply: { id: 'd1', from: 'bob', text: 'hi' },
          },
        ],
      },
      false,
    );
    const entry = (id: string) =>
      model.conversations
        .get(targetKey({ kind: 'dm', peer: 'bob' }))!
        .entries.find((e): e is MessageEntry => e.kind === 'message' && e.id === id)!;
    return { model, entry };
  }

  it('applies reactions, edits and deletes found by id, skipping what it has', () => {
    const { model, entry } = conversation();
    expect(model.lastDrev).toBe(2);
    model.applyReaction({
      type: 'reaction',
      id: 'd1',
      dseq: 1,
      rev: 2,
      emoji: '👍',
      name: 'bob',
      count: 1,
    });
    expect(entry('d1').reactions).toBeUndefined();
    model.applyReaction({
      type: 'reaction',
      id: 'd1',
      dseq: 1,
      rev: 3,
      emoji: '👍',
      name: 'ada',
      count: 1,
    });
    expect(entry('d1').reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    model.applyEdited({
      type: 'edited',
      id: 'd1',
      dseq: 1,
      rev: 4,
      from: 'bob',
      text: 'hello',
      edited: 9,
    });
    expect(entry('d1')).toMatchObject({ text: 'hello', edited: 9 });
    expect(entry('d2').reply).toMatchObject({ text: 'hello' });
    model.applyDeleted({
      type: 'deleted',
      id: 'd1',
      dseq: 1,
      rev: 5,
      from: 'bob',
      deleted_by: 'bob',
    });
    expect(entry('d1')).toMatchObject({ text: '', deleted: true, deletedBy: 'bob' });
    expect(entry('d2').reply).toMatchObject({ deleted: true, text: '' });
    model.applyUpdate({
      type: 'update',
      id: 'd2',
      dseq: 2,
      rev: 7,
      from: 'ada',
      reactions: [{ emoji: '🎉', count: 1 }],
    });
    expect(entry('d2').reactions).toEqual([{ emoji: '🎉', count: 1 }]);
    expect(model.lastDrev).toBe(7);
  });
});

describe('changes to direct messages from the client', () => {
  it('are sent with dm: true for kept ones, and the mailbox’s rev is resumed', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    const client = await startedClient(server, 'ada', clock, {
      guestKey: 'ada-guest-key-0123456789',
    });
    const bob = await startedClient(server, 'bob', clock);
    client.submit('/msg bob a typo here');
    await settle();
    client.show({ kind: 'dm', peer: 'bob' });
    client.submit('/react 1 👍');
    client.submit('/edit no typo here');
    client.submit('/delete');
    await settle();
    const sent = server.received.filter((f) => ['react', 'edit', 'delete'].includes(f.type));
    const id = (client.model.current()!.entries.at(-1) as MessageEntry).id;
    expect(sent).toEqual([
      { type: 'react', dm: true, id, emoji: '👍' },
      expect.objectContaining({ type: 'edit', dm: true, id, text: 'no typo here' }),
      expect.objectContaining({ type: 'delete', dm: true, id }),
    ]);
    // bob has no guest key: what he was sent is not kept for him, and cannot be changed.
    bob.show({ kind: 'dm', peer: 'ada' });
    expect(bob.submit('/react 1 👍')).toMatchObject({ kind: 'error' });
    expect(server.received.filter((f) => f.type === 'react')).toHaveLength(1);

    server.tell({ type: 'reaction', id, dseq: 1, rev: 6, emoji: '🎉', name: 'bob', count: 1 });
    await settle();
    server.drop('ada');
    await settle();
    clock.advance(60_000);
    await settle();
    const hello = server.received.filter((f) => f.type === 'hello' && f.name === 'ada').at(-1);
    expect(hello).toMatchObject({ name: 'ada', dseq: 1, drev: 6 });
  });
});
