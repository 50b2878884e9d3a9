import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../src/index.js';
import { ChatModel, firstNewMessage, targetKey, validateClientFrame } from '../src/index.js';
import { FakeServer, ManualClock, settle, startedClient } from './fake-server.js';

describe('read markers on the wire', () => {
  it('name a room and seq, or a person and dseq', () => {
    const code = (frame: RawFrame) => {
      const result = validateClientFrame(frame);
      return result.ok ? result.frame : result.error.code;
    };
    expect(code({ type: 'read', room: '#den', seq: 4 })).toEqual({
      type: 'read',
      room: '#den',
      seq: 4,
    });
    expect(code({ type: 'read', with: 'bob', dseq: 2 })).toEqual({
      type: 'read',
      with: 'bob',
      dseq: 2,
    });
    expect(code({ type: 'read', room: '#den', with: 'bob', seq: 1 })).toBe('invalid_field');
    expect(code({ type: 'read', room: '#den' })).toBe('invalid_field');
    expect(code({ type: 'read', with: 'bob', dseq: 0 })).toBe('invalid_field');
  });
});

describe('read markers in the model', () => {
  const message = (seq: number, from = 'bob', text = `message ${seq}`) => ({
    type: 'message' as const,
    room: '#den',
    id: `m${seq}`,
    seq,
    from,
    text,
    ts: seq,
  });

  it('count unread and mentions after the marker, on every device alike', () => {
    const model = new ChatModel();
    model.setName('ada');
    model.ensureRoom('#general');
    model.ensureRoom('#den');
    model.applyReadMarkers({ type: 'read_markers', rooms: { '#den': 2 }, with: { bob: 1 } });
    model.applyHistory(
      {
        type: 'history',
        room: '#den',
        more: false,
        messages: [message(1), message(2), message(3, 'bob', 'ada, look'), message(4, 'ada')],
      },
      false,
    );
    const den = model.room('#den')!;
    // After the marker: 3 (a mention), not 4 (the user's own).
    expect([den.unread, den.mentions]).toEqual([1, 1]);
    expect(den.newFrom).toBe(2);
    // The line goes above the first of another's after it: 3, not the user's own 4.
    expect(firstNewMessage(den)?.seq).toBe(3);
    // Read on another device: nothing unread here either.
    model.applyRead({ type: 'read', room: '#den', seq: 4 });
    expect([den.unread, den.mentions]).toEqual([0, 0]);
    // Markers only move forward.
    expect(model.markRead(den.key, 3)).toBe(false);
    // A direct conversation the marker came for before it was opened.
    model.applyDirectHistory(
      {
        type: 'dm_history',
        more: false,
        messages: [
          { type: 'message', id: 'd1', from: 'bob', to: 'ada', text: 'seen', ts: 1, dseq: 1 },
          { type: 'message', id: 'd2', from: 'bob', to: 'ada', text: 'waited', ts: 2, dseq: 2 },
        ],
      },
      false,
    );
    const dm = model.conversations.get(targetKey({ kind: 'dm', peer: 'bob' }))!;
    expect([model.readUpTo(dm), dm.unread, dm.mentions]).toEqual([1, 1, 1]);
  });
});

describe('read markers from the client', () => {
  it('sends where the user read the conversation in view, at most once a second', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    const client = await startedClient(server, 'ada', clock);
    // A server that keeps markers says so with them.
    server.tell({ type: 'read_markers', rooms: {}, with: {} });
    await settle();
    server.post('bob', 'one');
    await settle();
    server.post('bob', 'two');
    server.post('bob', 'three');
    await settle();
    const reads = () => server.received.filter((f) => f.type === 'read');
    expect(reads()).toEqual([{ type: 'read', room: '#general', seq: 1 }]);
    clock.advance(1_000);
    await settle();
    expect(reads().at(-1)).toEqual({ type: 'read', room: '#general', seq: 3 });
    expect(reads()).toHaveLength(2);
    // Leaving sends what is waiting at once, before quit.
    server.post('bob', 'four');
    await settle();
    server.post('bob', 'five');
    await settle();
    client.quit();
    await settle();
    const last = server.received.slice(-2);
    expect(last).toEqual([{ type: 'read', room: '#general', seq: 5 }, { type: 'quit' }]);
  });

  it('sends what the user read while the link was down once it is back', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    let visible = false;
    const client = await startedClient(server, 'ada', clock, { isVisible: () => visible });
    server.tell({ type: 'read_markers', rooms: {}, with: {} });
    await settle();
    server.post('bob', 'one');
    await settle();
    server.drop('ada');
    await settle();
    // The window comes to the front, the message is seen, with no link to tell it on.
    visible = true;
    client.markRead();
    await settle();
    expect(client.status).not.toBe('registered');
    expect(server.received.filter((f) => f.type === 'read')).toEqual([]);
    // The link comes back (the first retry): the server hears it then, not at the next read.
    clock.advance(60_000);
    await settle();
    expect(client.status).toBe('registered');
    expect(server.received.filter((f) => f.type === 'read')).toEqual([
      { type: 'read', room: '#general', seq: 1 },
    ]);
  });

  it('sends none to a server that keeps no markers, nor while the user cannot see', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    let visible = false;
    const client = await startedClient(server, 'ada', clock, { isVisible: () => visible });
    server.post('bob', 'one');
    await settle();
    expect(server.received.filter((f) => f.type === 'read')).toEqual([]);
    server.tell({ type: 'read_markers', rooms: {}, with: {} });
    await settle();
    server.post('bob', 'two');
    await settle();
    expect(server.received.filter((f) => f.type === 'read')).toEqual([]);
    visible = true;
    client.markRead();
    await settle();
    expect(server.received.filter((f) => f.type === 'read')).toEqual([
      { type: 'read', room: '#general', seq: 2 },
    ]);
  });
});
