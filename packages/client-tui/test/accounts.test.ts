import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, Tmux } from '@confab/test-kit';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const tmux = new Tmux();
const home = mkdtempSync(join(tmpdir(), 'confab-tui-accounts-'));
let server: ConfabServer;
let port: number;

/** The terminal client in a session of its own; `config` is its XDG config folder (its kept logins). */
function confab(session: string, name: string, config: string): void {
  tmux.start(
    session,
    `XDG_CONFIG_HOME=${config} LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${cli} --port ${port} --name ${name}`,
  );
}

beforeAll(async () => {
  ({ server, port } = await startChatServer({ passwordCost: 10 }));
});

afterAll(async () => {
  tmux.kill();
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a guest in the terminal client', () => {
  it('takes its name back at once from a run of it frozen with its link silent', async () => {
    const config = join(home, 'frozen');
    confab('gus1', 'gus', config);
    await tmux.waitFor('gus1', /● connected\s+│\s+gus \(guest\)/);
    const frozen = tmux.programPid('gus1');
    process.kill(frozen, 'SIGSTOP');
    try {
      confab('gus2', 'gus', config);
      await tmux.waitFor('gus2', /● connected\s+│\s+gus \(guest\)/);
      expect(tmux.screen('gus2')).not.toContain('taken');
    } finally {
      process.kill(frozen, 'SIGCONT');
    }
    await tmux.waitFor('gus1', /connected again from elsewhere as this guest[\s\S]*\[exited 0\]/);
    tmux.keys('gus2', 'C-c');
    await tmux.waitFor('gus2', /Bye\.\n\[exited 0\]/);
  });
});

describe('accounts in the terminal client', () => {
  const laptop = join(home, 'laptop');
  const desk = join(home, 'desk');

  it('registers the name with /register (typed as dots), and keeps the login, readable by its owner only', async () => {
    confab('kim', 'kim', laptop);
    await tmux.waitFor('kim', /● connected\s+│\s+kim \(guest\)/);
    tmux.type('kim', '/register correct horse', false);
    await tmux.waitFor('kim', '> /register ••••••• •••••');
    tmux.keys('kim', 'Enter');
    await tmux.waitFor('kim', /● connected\s+│\s+kim \(account\)/);
    await tmux.waitFor('kim', '-- You are logged in as kim');
    const file = join(laptop, 'confab', 'sessions.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(laptop, 'confab')).mode & 0o777).toBe(0o700);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      { name: string; token: string }
    >;
    expect(kept[`127.0.0.1:${port}`]).toMatchObject({
      name: 'kim',
      token: expect.stringMatching(/^[\w-]{43}$/),
    });
    // The password is in no recall: Up brings back nothing. A key typed after
    // it is the marker: once it shows, Up has been handled.
    tmux.keys('kim', 'Up');
    tmux.type('kim', 'x', false);
    const screen = await tmux.waitFor('kim', (s) => s.trimEnd().endsWith('x'));
    expect(screen.trimEnd().split('\n').at(-1)).toBe('> x');
    tmux.keys('kim', 'C-c');
    await tmux.waitFor('kim', /Bye\.\n\[exited 0\]/);
  });

  it('logs in with the kept login next time, with no question', async () => {
    confab('kim2', 'kim', laptop);
    const screen = await tmux.waitFor('kim2', /● connected\s+│\s+kim \(account\)/);
    expect(screen).not.toContain('Password');
  });

  it('asks another device for the password, in dots, and says when it is wrong', async () => {
    confab('desk', 'KIM', desk);
    await tmux.waitFor('desk', 'the name KIM belongs to an account');
    tmux.type('desk', 'wrong horse', false);
    await tmux.waitFor('desk', 'Password: •••••••••••');
    tmux.keys('desk', 'Enter');
    await tmux.waitFor('desk', 'the name or the password is wrong');
    tmux.keys('desk', 'C-u');
    tmux.type('desk', 'correct horse');
    await tmux.waitFor('desk', /● connected\s+│\s+kim \(account\)/);
    // Both devices are one person: one member, and what one says shows on the other.
    await tmux.waitFor('desk', '1 here');
    tmux.type('desk', 'said from the desk');
    await tmux.waitFor('kim2', '<kim> said from the desk');
  });

  it('lists the account’s sessions with /sessions: which client, when, and which is this one', async () => {
    tmux.type('desk', '/sessions');
    const screen = await tmux.waitFor('desk', 'Your sessions (2); /revoke ID logs one out:');
    const rows = screen.split('\n').filter((line) => line.includes('confab-tui/'));
    expect(rows).toHaveLength(2);
    // Newest first: this device's login, then the laptop's.
    expect(rows.map((row) => row.replace(/[│ ]+$/, '').replace(/\d\d:\d\d/g, 'hh:mm'))).toEqual([
      expect.stringMatching(
        /^ +[\da-f]{12} {2}confab-tui\/\S+, logged in (today|yesterday) at hh:mm, this one$/,
      ),
      expect.stringMatching(
        /^ +[\da-f]{12} {2}confab-tui\/\S+, logged in (today|yesterday) at hh:mm, last used today at hh:mm$/,
      ),
    ]);
  });

  it('logs out with /logout: the kept login is forgotten, and the other device stays', async () => {
    // Someone else in the room watches: kim must not leave for them.
    const watcher = await JsonClient.connect(port);
    await watcher.register('watcher');
    tmux.type('desk', '/logout');
    await tmux.waitFor('desk', /Logged out\. Bye\.\n\[exited 0\]/);
    const kept = JSON.parse(readFileSync(join(desk, 'confab', 'sessions.json'), 'utf8')) as Record<
      string,
      { name?: string; token?: string }
    >;
    // No login is kept (only the key it would come back as a guest with).
    expect(Object.values(kept).every((k) => k.name === undefined && k.token === undefined)).toBe(
      true,
    );
    tmux.type('kim2', 'still here');
    await tmux.waitFor('kim2', '<kim> still here');
    // The message, sent after the logout, is the marker: nothing of kim leaving came before it.
    const before = await watcher.before('message', (m) => m.text === 'still here');
    expect(before.filter((f) => f.type === 'left')).toEqual([]);
    expect(tmux.screen('kim2')).not.toContain('kim left');
    watcher.end();
  });
});

describe('a device that comes after the other person’s /nick', () => {
  it('follows the direct conversation to the new name: one conversation, and Tab offers the new name', async () => {
    const lou = await JsonClient.connect(port);
    await lou.register('lou', { password: 'correct horse', register: true });
    const bo = await JsonClient.connect(port);
    await bo.register('bo');
    bo.send({ type: 'dm', to: 'lou', text: 'a word for lou', ref: 'b1' });
    await lou.next('message', (m) => m.text === 'a word for lou');
    bo.send({ type: 'nick', name: 'bo2' });
    await lou.next('nick', (n) => n.name === 'bo2');
    confab('lou', 'lou', join(home, 'phone'));
    await tmux.waitFor('lou', 'the name lou belongs to an account');
    tmux.type('lou', 'correct horse');
    await tmux.waitFor('lou', /● connected\s+│\s+lou \(account\)/);
    // One conversation, under the name bo goes by now.
    await tmux.waitFor('lou', /│\d bo2\b/);
    expect(tmux.screen('lou')).not.toMatch(/│\d bo\b(?!2)/);
    tmux.keys('lou', 'C-n');
    await tmux.waitFor('lou', /│\s+bo2\s+│\s+● connected/);
    await tmux.waitFor('lou', 'a word for lou');
    tmux.type('lou', 'b', false);
    tmux.keys('lou', 'Tab');
    // At the start of the line a name completes as an address: `bo2: `.
    await tmux.waitFor('lou', (s) => s.trimEnd().split('\n').at(-1) === '> bo2:');
    for (const person of [lou, bo]) person.end();
  });
});
