import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, Tmux } from '@confab/test-kit';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const tmux = new Tmux();
const clients: JsonClient[] = [];
let server: ConfabServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startChatServer({ rateLimit: 0 }));
});

afterAll(async () => {
  for (const client of clients) client.end();
  tmux.kill();
  await server.close();
});

describe('reactions in the terminal client', () => {
  it('shows them under a message, the user’s own in brackets; /react toggles, /react N opens a picker', async () => {
    tmux.start(
      'ria',
      `LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${cli} --port ${port} --name ria`,
    );
    await tmux.waitFor('ria', /● connected\s+│\s+ria \(guest\)/);
    const bob = await JsonClient.connect(port);
    clients.push(bob);
    await bob.register('bob', { features: ['reactions'] });
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
