import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

describe('reactions in the terminal client', () => {
  it('shows them under a message, the user’s own in brackets; /react toggles, /react N opens a picker', async () => {
    confab('ria', 'ria');
    await tmux.waitFor('ria', /● connected\s+│\s+ria \(guest\)/);
    const bob = await other('bob', { features: ['reactions'] });
    bob.send({ type: 'say', room: '#general', text: 'deploy at five', ref: 'd' });
    const deploy = (await bob.next('ack', (a) => a.ref === 'd')).id;
    bob.send({ type: 'say', room: '#general', text: 'ok?', ref: 'o' });
    await tmux.waitFor('ria', '<bob> ok?');
    // Someone else's reaction, live, under the message it is on.
    bob.send({ type: 'react', room: '#general', id: deploy, emoji: '🎉' });
    await tmux.waitFor('ria', /<bob> deploy at five[^\n]*\n *🎉 1 /);
    // The user's own, with /react N emoji: in brackets.
    tmux.type('ria', '/react 2 🎉');
    expect(await bob.next('reaction', (r) => r.name === 'ria')).toMatchObject({
      id: deploy,
      emoji: '🎉',
      count: 2,
    });
    await tmux.waitFor('ria', /<bob> deploy at five[^\n]*\n *\[🎉 2\] /);
    // /react N alone: a picker on the input line; a digit picks.
    tmux.type('ria', '/react 2');
    await tmux.waitFor('ria', /React: 1 👍 +2 ❤️/);
    tmux.keys('ria', '1');
    await tmux.waitFor('ria', /<bob> deploy at five[^\n]*\n *\[🎉 2\] +\[👍 1\] /);
    // Again on one they have: taken off.
    tmux.type('ria', '/react 2 🎉');
    await tmux.waitFor('ria', /<bob> deploy at five[^\n]*\n *🎉 1 +\[👍 1\] /);
    // Any other key closes the picker without a reaction.
    tmux.type('ria', '/react 1');
    await tmux.waitFor('ria', /React: 1 👍/);
    tmux.keys('ria', 'Escape');
    await tmux.waitFor('ria', (screen) => !screen.includes('React: 1'));
    tmux.type('ria', '/react 1 yes');
    await tmux.waitFor('ria', 'yes is not a reaction');
    tmux.keys('ria', 'C-c');
    await tmux.waitFor('ria', /Bye\.\n\[exited 0\]/);
  });
});
