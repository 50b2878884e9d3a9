import type { ServerFrame } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import {
  JsonClient,
  PlainClient,
  ROOMS,
  joinRoom,
  startServer,
  tempDir,
  testScope,
} from './helpers.js';

const { cleanups, serve, person } = testScope();

let refs = 0;

/** Says `text` in `room`, answering `replyTo` when given; resolves with the message's id. */
async function say(
  client: FrameClient,
  text: string,
  replyTo?: string,
  room = '#general',
): Promise<string> {
  const ref = `s${++refs}`;
  client.send({ type: 'say', room, text, ref, ...(replyTo ? { reply_to: replyTo } : {}) });
  return (await client.next('ack', (a) => a.ref === ref)).id;
}

const guestKey = (letter: string) => letter.repeat(43);

describe('replies', () => {
  it('carry who and what they answer to everyone in the room, in history too', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const bob = await person(port, 'bob');
    const question = await say(ada, 'what time is the meeting?\nand where?');
    await say(bob, 'at noon, in the big room', question);
    const reply = { id: question, from: 'ada', text: 'what time is the meeting? and where?' };
    for (const client of [ada, bob])
      expect(await client.next('message', (m) => m.text.startsWith('at noon'))).toMatchObject({
        from: 'bob',
        reply,
      });
    // Someone who comes later reads it in the history, with what it answers.
    const cy = await JsonClient.connect(port);
    cleanups.push(() => cy.end());
    cy.send({ type: 'hello', version: 1, name: 'cy' });
    const history = await cy.next('history');
    expect(history.messages.at(-1)).toMatchObject({ from: 'bob', reply });
  });

  it('carry the start of a long text only, on one line', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const long = `${'word '.repeat(60)}\nthe end`;
    const answered = await say(ada, long);
    await say(ada, 'that was long', answered);
    const { reply } = await ada.next('message', (m) => m.text === 'that was long');
    expect([...reply!.text]).toHaveLength(LIMITS.replyExcerptChars);
    expect(reply!.text).toMatch(/^(word ){19}word…$/);
  });

  it('refuse what is not in the room, and send nothing', async () => {
    const port = await serve();
    const ada = await person(port, 'ada', ROOMS);
    await joinRoom(ada, '#elsewhere');
    const there = await say(ada, 'said elsewhere', undefined, '#elsewhere');
    ada.inbox.drain();
    for (const replyTo of [there, 'no-such-id']) {
      ada.send({ type: 'say', room: '#general', text: 'an answer', reply_to: replyTo, ref: 'r' });
      expect(await ada.next('error', (e) => e.ref === 'r')).toMatchObject({
        code: 'no_such_message',
      });
    }
    // The marker: had a refused reply gone out, it would have come before it.
    await say(ada, 'marker');
    const before = await ada.before('message', (m) => m.text === 'marker');
    expect(before.filter((f) => f.type === 'message')).toEqual([]);
  });

  it('answer a direct message of the conversation, kept on both sides; not one of another', async () => {
    const port = await serve();
    const ada = await person(port, 'ada', { guest: guestKey('a') });
    const bob = await person(port, 'bob', { guest: guestKey('b') });
    const cy = await person(port, 'cy', { guest: guestKey('c') });
    ada.send({ type: 'dm', to: 'bob', text: 'are you coming?', ref: 'q' });
    const question = (await ada.next('ack', (a) => a.ref === 'q')).id;
    await bob.next('message', (m) => m.id === question);
    bob.send({ type: 'dm', to: 'ada', text: 'yes', reply_to: question, ref: 'y' });
    const reply = { id: question, from: 'ada', text: 'are you coming?' };
    expect(await ada.next('message', (m) => m.text === 'yes')).toMatchObject({ reply });
    expect(await bob.next('message', (m) => m.text === 'yes')).toMatchObject({ reply });
    // A message of the conversation with ada cannot be quoted to cy.
    bob.send({ type: 'dm', to: 'cy', text: 'look', reply_to: question, ref: 'l' });
    expect(await bob.next('error', (e) => e.ref === 'l')).toMatchObject({
      code: 'no_such_message',
    });
    // Nor can a message one never had.
    cy.send({ type: 'dm', to: 'ada', text: 'me too', reply_to: question, ref: 'm' });
    expect(await cy.next('error', (e) => e.ref === 'm')).toMatchObject({
      code: 'no_such_message',
    });
    // And ada's next dm_history gives the reply with what it answers.
    const again = await JsonClient.connect(port);
    cleanups.push(() => again.end());
    ada.end();
    await bob.next('left', (l) => l.name === 'ada');
    again.send({ type: 'hello', version: 1, name: 'ada', guest: guestKey('a'), dseq: 0 });
    const replay = await again.next('dm_history');
    expect(replay.messages.find((m) => m.text === 'yes')).toMatchObject({ reply });
  });

  it('are refused to a direct message of someone who keeps none (no identity)', async () => {
    const port = await serve();
    const ada = await person(port, 'ada', { guest: guestKey('a') });
    const old = await person(port, 'old');
    ada.send({ type: 'dm', to: 'old', text: 'hello, old client', ref: 'h' });
    const hello = (await ada.next('ack', (a) => a.ref === 'h')).id;
    await old.next('message', (m) => m.id === hello);
    old.send({ type: 'dm', to: 'ada', text: 'hi', reply_to: hello, ref: 'o' });
    expect(await old.next('error', (e) => e.ref === 'o')).toMatchObject({
      code: 'no_such_message',
    });
  });

  it('show in plain text as (re name: start of text…)', async () => {
    const port = await serve();
    const ada = await person(port, 'ada');
    const pat = await PlainClient.named(port, 'pat');
    const question = await say(ada, 'who is there?');
    await say(ada, 'me, it seems', question);
    expect(await pat.line('me, it seems')).toMatch(
      /<ada> \(re ada: who is there\?\) me, it seems$/,
    );
  });

  it('keep what they answer across a restart', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const first = await startServer({ store: 'sqlite', dataDir: data.path });
    const ada = await JsonClient.connect(first.port);
    await ada.register('ada');
    const question = await say(ada, 'still there tomorrow?');
    await say(ada, 'yes', question);
    ada.end();
    await first.server.close();
    const port = await serve({ store: 'sqlite', dataDir: data.path });
    const back = await JsonClient.connect(port);
    cleanups.push(() => back.end());
    back.send({ type: 'hello', version: 1, name: 'ada' });
    const history = await back.next('history');
    const messages = history.messages as Array<Extract<ServerFrame, { type: 'message' }>>;
    expect(messages.at(-1)).toMatchObject({
      text: 'yes',
      reply: { id: question, from: 'ada', text: 'still there tomorrow?' },
    });
    // And what it answers is still found, to answer again.
    await say(back, 'still here', question);
  });
});
