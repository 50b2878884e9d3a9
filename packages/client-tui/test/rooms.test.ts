import { describe, expect, it } from 'vitest';
import type { JsonClient } from '@confab/test-kit';
import { ROOMS, joinRoom } from '@confab/test-kit';
import { terminalChat } from './terminal-chat.js';

const chat = terminalChat({ passwordCost: 10 });
const { tmux, confab } = chat;

/** Someone logged in on another client (the JSON stream), who joins `rooms` and stays. */
async function other(name: string, rooms: string[]): Promise<JsonClient> {
  const client = await chat.other(name, { password: 'correct horse', register: true, ...ROOMS });
  for (const room of rooms) await joinRoom(client, room);
  return client;
}

describe('rooms in the terminal client', () => {
  it('makes a room its owner’s, and shows its topic, owner and modes under the status line', async () => {
    confab('tess', 'tess');
    await tmux.waitFor('tess', /● connected\s+│\s+tess \(guest\)/);
    // The default room is the operators'.
    await tmux.waitFor('tess', /no topic\s+·\s+owned by the server's operators · open/);
    tmux.type('tess', '/register correct horse');
    await tmux.waitFor('tess', /tess \(account\)/);
    tmux.type('tess', '/join #den');
    await tmux.waitFor('tess', /│\s+#den\s+│/);
    await tmux.waitFor('tess', /no topic\s+·\s+owned by tess · topic locked/);
    tmux.type('tess', '/topic all about dens');
    await tmux.waitFor('tess', /all about dens\s+·\s+owned by tess · topic locked/);
    await tmux.waitFor('tess', '-- You set the topic of #den: all about dens');
    tmux.type('tess', '/mode +m');
    await tmux.waitFor('tess', /owned by tess · moderated, topic locked/);
  });

  it('marks the owner and moderators with @ and voice with + in the member list', async () => {
    await other('bob', ['#den']);
    await tmux.waitFor('tess', /│ bob\s+│/);
    tmux.type('tess', '/op bob');
    await tmux.waitFor('tess', '-- You made bob a moderator of #den');
    await tmux.waitFor('tess', /│@bob\s+│/);
    await other('cy', ['#den']);
    tmux.type('tess', '/voice cy');
    await tmux.waitFor('tess', /│\+cy\s+│/);
    const screen = tmux.screen('tess');
    // The owner and moderators first, then voice.
    const order = ['@tess', '@bob', '+cy'].map((name) => screen.indexOf(`│${name}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('tells the one removed who did it and why, leaves the room, and does not join it again', async () => {
    confab('uma', 'uma');
    await tmux.waitFor('uma', /● connected/);
    tmux.type('uma', '/join #den');
    await tmux.waitFor('uma', /all about dens\s+·\s+owned by tess/);
    await tmux.waitFor('tess', /│ uma\s+│/);
    tmux.type('tess', '/ban uma 10m flooding');
    const screen = await tmux.waitFor(
      'uma',
      // A ban that ends after midnight gives its day too ("7 Dec 00:07").
      /You were banned from #den by tess until (\d+ \w+ )?\d\d:\d\d: flooding/,
    );
    // Back in #general: #den is not in the list any more.
    expect(screen).toMatch(/│\s+#general\s+│/);
    expect(screen).not.toMatch(/^│.*#den/m);
    await tmux.waitFor('tess', 'uma was banned from #den by tess');
    tmux.type('uma', '/join #den');
    await tmux.waitFor('uma', /-- you are banned from #den until/);
  });

  it('lists the rooms with /list, and completes commands and rooms with Tab', async () => {
    tmux.type('uma', '/li', false);
    tmux.keys('uma', 'Tab');
    await tmux.waitFor('uma', (s) => s.trimEnd().split('\n').at(-1) === '> /list');
    tmux.keys('uma', 'Enter');
    await tmux.waitFor('uma', '-- Rooms (2); /join one:');
    await tmux.waitFor('uma', /#den \(3\)\s+all about dens/);
    tmux.type('uma', '/join #d', false);
    tmux.keys('uma', 'Tab');
    await tmux.waitFor('uma', (s) => s.trimEnd().split('\n').at(-1) === '> /join #den');
    tmux.keys('uma', 'C-u');
    // The help, by group: the room commands, then the operators', then the keys (its end is on the screen).
    tmux.type('uma', '/help');
    await tmux.waitFor('uma', '/mute [#room] name [10m|2h|7d] [reason]');
    await tmux.waitFor('uma', 'Server operators:');
    await tmux.waitFor('uma', 'F2                  show or hide the member list');
  });
});
