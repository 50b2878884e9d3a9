import { describe, expect, it } from 'vitest';
import type { ClientEvent, MessageEntry } from '../src/index.js';
import { ChatClient, ChatModel, LIMITS, parseInput } from '../src/index.js';
import { FakeServer, ManualClock, settle } from './fake-server.js';

describe('highlight words and notifications', () => {
  it('/highlight sets the words that count as mentions, /notify switches notifying', () => {
    const context = { room: '#general' };
    expect(parseInput('/highlight deploy Outage', context)).toEqual({
      kind: 'highlight',
      words: ['deploy', 'Outage'],
    });
    expect(parseInput('/highlight', context)).toEqual({ kind: 'highlight' });
    expect(parseInput('/highlight none', context)).toEqual({ kind: 'highlight', words: [] });
    expect(
      parseInput(
        `/highlight ${Array.from({ length: LIMITS.maxHighlights + 1 }, (_, i) => `w${i}`).join(' ')}`,
        context,
      ),
    ).toMatchObject({ kind: 'error' });
    expect(parseInput('/notify off', context)).toEqual({ kind: 'notify', on: false });
    expect(parseInput('/notify maybe', context)).toMatchObject({ kind: 'error' });
  });

  it('counts a highlight word as a mention, as a whole word in any case', () => {
    const model = new ChatModel({ highlights: ['deploy'] });
    model.setName('ada');
    model.ensureRoom('#ops');
    const say = (seq: number, text: string) =>
      model.applyMessage({
        type: 'message',
        room: '#ops',
        id: `m${seq}`,
        seq,
        from: 'bob',
        text,
        ts: seq,
      });
    say(1, 'the Deploy is done');
    say(2, 'redeployed it');
    say(3, 'ada: look');
    model.setHighlights([]);
    say(4, 'deploy again');
    const mentioned = model
      .room('#ops')!
      .entries.filter((e): e is MessageEntry => e.kind === 'message' && e.mention)
      .map((e) => e.text);
    expect(mentioned).toEqual(['the Deploy is done', 'ada: look']);
  });

  it('tells its view when a setting changes, for it to keep', async () => {
    const server = new FakeServer();
    const client = new ChatClient({
      connect: server.connect,
      name: 'ada',
      clock: new ManualClock(),
      keepaliveMs: 60_000,
      notify: false,
    });
    const events: ClientEvent[] = [];
    client.subscribe((event) => events.push(event));
    client.start();
    await settle();
    expect(client.notifies).toBe(false);
    client.submit('/notify on');
    client.submit('/highlight release');
    expect(client.notifies).toBe(true);
    expect(client.model.highlights).toEqual(['release']);
    expect(events.filter((e) => e.type === 'settings')).toHaveLength(2);
    // Nothing about them goes to the server: they are this client's own.
    expect(server.received.map((f) => f.type)).not.toContain('notify');
  });
});
