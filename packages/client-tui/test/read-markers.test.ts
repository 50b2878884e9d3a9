import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

describe('read markers in the terminal client', () => {
  it('draws a new-messages line where what came while it was away starts', async () => {
    // Both runs keep their guest key in one folder: the second is the same guest.
    const config = join(tmux.configHome, 'rho-both');
    confab('rho', 'rho', '', config);
    await tmux.waitFor('rho', /● connected\s+│\s+rho \(guest\)/);
    const bob = await other('bob-r');
    bob.send({ type: 'say', room: '#general', text: 'read before leaving' });
    await tmux.waitFor('rho', '<bob-r> read before leaving');
    // Leaving sends where it read up to, before quit.
    tmux.keys('rho', 'C-c');
    await tmux.waitFor('rho', /Bye\.\n\[exited 0\]/);
    bob.send({ type: 'say', room: '#general', text: 'said while rho was away', ref: 'a' });
    await bob.next('ack', (a) => a.ref === 'a');
    // The same guest again (its key kept): the line sits between the two.
    confab('rho2', 'rho', '', config);
    const screen = await tmux.waitFor('rho2', '<bob-r> said while rho was away');
    const lines = screen.split('\n');
    const read = lines.findIndex((line) => line.includes('read before leaving'));
    const line = lines.findIndex((text) => text.includes('─── new messages ───'));
    const away = lines.findIndex((text) => text.includes('said while rho was away'));
    expect(read).toBeGreaterThanOrEqual(0);
    expect(read).toBeLessThan(line);
    expect(line).toBeLessThan(away);
    tmux.keys('rho2', 'C-c');
    await tmux.waitFor('rho2', /Bye\.\n\[exited 0\]/);
  });
});
