import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

describe('search in the terminal client', () => {
  it('/search lists the hits numbered, and a number opens one where it is, loading older history', async () => {
    const bob = await other('bob');
    const said = (text: string, ref: string) => {
      bob.send({ type: 'say', room: '#general', text, ref });
      return bob.next('ack', (a) => a.ref === ref);
    };
    await said('the deploy key is in the blue vault', 'k');
    // More than a join replays: the first is further back than the screen holds.
    for (let n = 1; n <= 80; n++) await said(`filler ${n}`, `f${n}`);
    await said('deploy done, all green', 'd');
    confab('sam', 'sam');
    await tmux.waitFor('sam', '<bob> deploy done, all green');
    tmux.type('sam', '/search deploy');
    const listed = await tmux.waitFor(
      'sam',
      /2\. \d{4}-\d\d-\d\d \d\d:\d\d #general <bob> the \[deploy\] key/,
    );
    expect(listed).toMatch(/Found for deploy, newest first/);
    expect(listed).toMatch(/1\. [^\n]*#general <bob> \[deploy\] done, all green/);
    await tmux.waitFor('sam', /^open>/m);
    tmux.type('sam', '2');
    // The log goes to it: loaded from further back, shown near the top.
    await tmux.waitFor(
      'sam',
      (screen) =>
        /<bob> the deploy key is in the blue vault/.test(screen) && !/^open>/m.test(screen),
    );
    tmux.type('sam', '/search nothing-like-this');
    await tmux.waitFor('sam', 'Nothing found for nothing-like-this.');
    tmux.type('sam', '/search ok');
    await tmux.waitFor('sam', 'need at least 3 characters');
    tmux.keys('sam', 'C-c');
    await tmux.waitFor('sam', /Bye\.\n\[exited 0\]/);
  });
});
