import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

/** The screen line holding `text`, with its colours. */
function styledLine(session: string, text: string): string {
  return (
    tmux
      .styled(session)
      .split('\n')
      .find((line) => line.includes(text)) ?? ''
  );
}

// SGR 43: a yellow background, how a mention is drawn.
// eslint-disable-next-line no-control-regex
const YELLOW_BACKGROUND = /\u001b\[[0-9;]*43[0-9;]*m/;

describe('highlight words and notifications in the terminal client', () => {
  it('draws a highlight word as a mention, and /highlight and /notify change them', async () => {
    confab('hana', 'hana', '--highlight deploy,outage');
    await tmux.waitFor('hana', /● connected\s+│\s+hana \(guest\)/);
    const bob = await other('bob-h');
    bob.send({ type: 'say', room: '#general', text: 'the deploy is done' });
    await tmux.waitFor('hana', '<bob-h> the deploy is done');
    expect(styledLine('hana', 'the deploy is done')).toMatch(YELLOW_BACKGROUND);
    tmux.type('hana', '/highlight');
    await tmux.waitFor('hana', 'Your name and these highlight a message: deploy, outage.');
    tmux.type('hana', '/highlight none');
    await tmux.waitFor('hana', 'Only your name highlights a message');
    bob.send({ type: 'say', room: '#general', text: 'another deploy now' });
    await tmux.waitFor('hana', '<bob-h> another deploy now');
    expect(styledLine('hana', 'another deploy now')).not.toMatch(YELLOW_BACKGROUND);
    tmux.type('hana', '/notify off');
    await tmux.waitFor('hana', 'Mentions and direct messages no longer notify you.');
    tmux.keys('hana', 'C-c');
    await tmux.waitFor('hana', /Bye\.\n\[exited 0\]/);
  });
});
