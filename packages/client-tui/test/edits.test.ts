import { describe, expect, it } from 'vitest';
import { terminalChat } from './terminal-chat.js';

const { tmux, confab, other } = terminalChat();

describe('edits and deletes in the terminal client', () => {
  it('/edit mends your message (alone, in the input), /delete takes it back; others’ show live', async () => {
    confab('eve', 'eve');
    await tmux.waitFor('eve', /● connected\s+│\s+eve \(guest\)/);
    const bob = await other('bob', { features: ['edits'] });
    tmux.type('eve', 'see you at 3');
    const mine = await bob.next('message', (m) => m.text === 'see you at 3');
    tmux.type('eve', '/edit see you at 4');
    expect(await bob.next('edited')).toMatchObject({ id: mine.id, text: 'see you at 4' });
    await tmux.waitFor('eve', /<eve> see you at 4 \(edited\)/);
    // Alone: the text in the input, to be mended; Enter saves.
    tmux.type('eve', '/edit');
    await tmux.waitFor('eve', /edit> see you at 4/);
    tmux.type('eve', ' sharp', true);
    expect(await bob.next('edited')).toMatchObject({ id: mine.id, text: 'see you at 4 sharp' });
    await tmux.waitFor('eve', /<eve> see you at 4 sharp \(edited\)/);
    // Esc leaves it as it was.
    tmux.type('eve', '/edit');
    await tmux.waitFor('eve', /edit> see you at 4 sharp/);
    tmux.keys('eve', 'Escape');
    await tmux.waitFor('eve', (screen) => !screen.includes('edit> '));
    // Someone else's edit and delete, live.
    bob.send({ type: 'say', room: '#general', text: 'lunch?', ref: 'l' });
    const lunch = (await bob.next('ack', (a) => a.ref === 'l')).id;
    bob.send({ type: 'edit', room: '#general', id: lunch, text: 'lunch at noon?' });
    await tmux.waitFor('eve', /<bob> lunch at noon\? \(edited\)/);
    bob.send({ type: 'delete', room: '#general', id: lunch });
    await tmux.waitFor('eve', /-- message from bob deleted/);
    // /delete: the user's own newest.
    tmux.type('eve', '/delete');
    expect(await bob.next('deleted', (d) => d.id === mine.id)).toMatchObject({ deleted_by: 'eve' });
    await tmux.waitFor('eve', /-- message from eve deleted/);
    tmux.type('eve', '/delete');
    await tmux.waitFor('eve', 'You have no message here to delete');
    tmux.keys('eve', 'C-c');
    await tmux.waitFor('eve', /Bye\.\n\[exited 0\]/);
  });

  it('reacts to, edits and deletes direct messages too, both ends seeing each', async () => {
    confab('dana', 'dana');
    await tmux.waitFor('dana', /● connected\s+│\s+dana \(guest\)/);
    const bob = await other('bob-dm', {
      features: ['reactions', 'edits'],
      guest: 'bob-dm-own-secret-key-0123456789',
    });
    bob.send({ type: 'dm', to: 'dana', text: 'are you there?', ref: 'q' });
    const asked = (await bob.next('ack', (a) => a.ref === 'q')).id;
    await tmux.waitFor('dana', /bob-dm \(1!\)/);
    tmux.keys('dana', 'C-n');
    await tmux.waitFor('dana', /<bob-dm> are you there\?/);
    tmux.type('dana', '/react 1 👍');
    expect(await bob.next('reaction')).toMatchObject({ id: asked, emoji: '👍', name: 'dana' });
    // The room list fills the left of each line: the reaction is the next line's.
    await tmux.waitFor('dana', /<bob-dm> are you there\?[^\n]*\n[^\n]*│ *\[👍 1\]/);
    bob.send({ type: 'edit', dm: true, id: asked, text: 'still there?' });
    await tmux.waitFor('dana', /<bob-dm> still there\? \(edited\)/);
    tmux.type('dana', 'yes');
    const answer = await bob.next('message', (m) => m.text === 'yes');
    tmux.type('dana', '/edit yes, here');
    expect(await bob.next('edited', (e) => e.id === answer.id)).toMatchObject({
      text: 'yes, here',
    });
    tmux.type('dana', '/delete');
    expect(await bob.next('deleted')).toMatchObject({ id: answer.id, deleted_by: 'dana' });
    await tmux.waitFor('dana', /-- message from dana deleted/);
    tmux.keys('dana', 'C-c');
    await tmux.waitFor('dana', /Bye\.\n\[exited 0\]/);
  });
});
