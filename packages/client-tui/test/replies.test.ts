import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

describe('replies in the terminal client', () => {
  it('lists what can be answered, answers with /reply N, and shows the quoted line above a reply', async () => {
    confab('rae', 'rae');
    await tmux.waitFor('rae', /● connected\s+│\s+rae \(guest\)/);
    const bob = await other('bob');
    bob.send({ type: 'say', room: '#general', text: 'who has the keys?', ref: 'q' });
    const question = (await bob.next('ack', (a) => a.ref === 'q')).id;
    bob.send({ type: 'say', room: '#general', text: 'anyone?', ref: 'a' });
    await tmux.waitFor('rae', '<bob> anyone?');
    tmux.type('rae', '/reply');
    await tmux.waitFor('rae', /1 {2}<bob> anyone\?[^\n]*\n[^\n]*2 {2}<bob> who has the keys\?/);
    tmux.type('rae', '/reply 2 I do');
    expect(await bob.next('message', (m) => m.text === 'I do')).toMatchObject({
      from: 'rae',
      reply: { id: question, from: 'bob', text: 'who has the keys?' },
    });
    // The quoted line, dimmed, right above the reply.
    const screen = await tmux.waitFor('rae', /┌ bob: who has the keys\?[^\n]*\n[^\n]*<rae> I do/);
    expect(screen).toMatch(/^ +┌ bob: who has the keys\? +│/m);
    tmux.type('rae', '/reply 9 nothing that far back');
    await tmux.waitFor('rae', 'There is no message 9 back here to answer');
    // The line stays to be mended.
    await tmux.waitFor('rae', (s) => s.trimEnd().endsWith('> /reply 9 nothing that far back'));
    tmux.keys('rae', 'C-u', 'C-c');
    await tmux.waitFor('rae', /Bye\.\n\[exited 0\]/);
  });
});
