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

describe('replies in the terminal client', () => {
  it('lists what can be answered, answers with /reply N, and shows the quoted line above a reply', async () => {
    tmux.start(
      'rae',
      `LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${cli} --port ${port} --name rae`,
    );
    await tmux.waitFor('rae', /● connected\s+│\s+rae \(guest\)/);
    const bob = await JsonClient.connect(port);
    clients.push(bob);
    await bob.register('bob');
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
