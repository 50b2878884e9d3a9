import { describe, expect, it } from 'vitest';
import type { JsonClient } from '@confab/test-kit';
import { terminalChat } from './terminal-chat.js';

const chat = terminalChat();
const { tmux, confab } = chat;

/** Someone on another client (the JSON stream) in #general who asked to hear who is typing. */
function other(name: string): Promise<JsonClient> {
  return chat.other(name, { features: ['rooms', 'typing'] });
}

describe('who is typing, in the terminal client', () => {
  it('shows who is typing at the end of the status line, until their message comes', async () => {
    confab('tia', 'tia');
    await tmux.waitFor('tia', /● connected\s+│\s+tia \(guest\)/);
    const bob = await other('bob');
    const cy = await other('cy');
    bob.send({ type: 'typing', room: '#general' });
    await tmux.waitFor('tia', /tia \(guest\)\s+bob is typing…/);
    cy.send({ type: 'typing', room: '#general' });
    await tmux.waitFor('tia', /tia \(guest\)\s+bob and cy are typing…/);
    bob.send({ type: 'say', room: '#general', text: 'here it is', ref: 'b' });
    await tmux.waitFor('tia', '<bob> here it is');
    await tmux.waitFor('tia', /tia \(guest\)\s+cy is typing…/);
    cy.send({ type: 'typing', room: '#general', stopped: true });
    await tmux.waitFor('tia', (screen) => !/is typing|are typing/.test(screen));
    tmux.keys('tia', 'C-c');
    await tmux.waitFor('tia', /Bye\.\n\[exited 0\]/);
  });

  it('tells the others while a message is written, and that it stopped when the line is emptied', async () => {
    const ada = await other('ada');
    confab('tom', 'tom');
    await tmux.waitFor('tom', /● connected\s+│\s+tom \(guest\)/);
    tmux.type('tom', 'a message on its w', false);
    expect(await ada.next('typing', (t) => t.name === 'tom')).toEqual({
      type: 'typing',
      name: 'tom',
      room: '#general',
    });
    tmux.keys('tom', 'C-u');
    expect(await ada.next('typing', (t) => t.name === 'tom')).toMatchObject({ stopped: true });
    // Sending a message lets the next typing through at once.
    tmux.type('tom', 'first');
    await ada.before('message', (m) => m.text === 'first');
    // A command is not a message being written: had it been told, its C-u would be told too.
    tmux.type('tom', '/hel', false);
    tmux.keys('tom', 'C-u');
    tmux.type('tom', 'sent');
    const before = await ada.before('message', (m) => m.text === 'sent');
    expect(before.filter((f) => f.type === 'typing')).toEqual([
      { type: 'typing', name: 'tom', room: '#general' },
    ]);
    tmux.keys('tom', 'C-c');
    await tmux.waitFor('tom', /Bye\.\n\[exited 0\]/);
  });

  it('tells no one with --no-typing, nor after /typing off', async () => {
    const ada = await other('ann');
    confab('quiet', 'quinn', '--no-typing');
    await tmux.waitFor('quiet', /● connected\s+│\s+quinn \(guest\)/);
    tmux.type('quiet', 'written in silence');
    const before = await ada.before('message', (m) => m.text === 'written in silence');
    expect(before.filter((f) => f.type === 'typing')).toEqual([]);
    confab('loud', 'lou');
    await tmux.waitFor('loud', /● connected\s+│\s+lou \(guest\)/);
    tmux.type('loud', '/typing off');
    await tmux.waitFor('loud', 'Others no longer see when you are typing.');
    tmux.type('loud', 'also in silence');
    const after = await ada.before('message', (m) => m.text === 'also in silence');
    expect(after.filter((f) => f.type === 'typing')).toEqual([]);
    for (const session of ['quiet', 'loud']) {
      tmux.keys(session, 'C-c');
      await tmux.waitFor(session, /Bye\.\n\[exited 0\]/);
    }
  });
});
