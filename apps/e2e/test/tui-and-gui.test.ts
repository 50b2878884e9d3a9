import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePage } from '@confab/client-gui';
import { SqliteStore } from '@confab/server';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, Tmux, startRedis } from '@confab/test-kit';

const tuiCli = fileURLToPath(new URL('../../../packages/client-tui/dist/cli.js', import.meta.url));
const pageRoot = fileURLToPath(new URL('../../../packages/client-gui/dist/page/', import.meta.url));
const tmux = new Tmux();
let server: ConfabServer;
let port: number;
let browser: Browser;
let stopPage: () => void;
let pageUrl: string;

/** Starts the terminal client in a 120x30 tmux session (kept open for a look after it exits). */
function startTerminal(session: string, flags: string, env = ''): void {
  tmux.start(session, `${env}LANG=C.UTF-8 ${process.execPath} ${tuiCli} ${flags}`);
}

/** Waits until the tmux session `session` shows `text`. */
function sessionShows(session: string, text: string): Promise<string> {
  return tmux.waitFor(session, text, 10_000);
}

beforeAll(async () => {
  ({ server, port } = await startChatServer());
  const page = await servePage(pageRoot);
  stopPage = () => page.server.close();
  pageUrl = page.url;
  browser = await chromium.launch({
    executablePath: process.env.CONFAB_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  startTerminal('tui', `--host 127.0.0.1 --port ${port} --name terminal-tess`);
});

afterAll(async () => {
  tmux.kill();
  await browser?.close();
  stopPage?.();
  await server?.close();
});

describe('a terminal user and a browser user', () => {
  it('chat with each other, both ways, directly too', async () => {
    await sessionShows('tui', 'write <quit>');
    const page = await browser.newPage();
    await page.goto(`${pageUrl}?server=127.0.0.1:${port}&name=browser-bea&connect=1`);
    await page.locator('.status.registered').waitFor();
    await sessionShows('tui', 'browser-bea joined #general');
    await expect
      .poll(async () => (await page.locator('.members li').allTextContents()).sort())
      .toEqual(['browser-bea', 'terminal-tess']);

    tmux.type('tui', 'hello from the terminal');
    await page.locator('.log li', { hasText: 'hello from the terminal' }).waitFor();
    expect(
      await page
        .locator('.log li', { hasText: 'hello from the terminal' })
        .locator('.name')
        .textContent(),
    ).toBe('terminal-tess');

    await page.locator('.composer textarea').fill('hello from the browser');
    await page.locator('.composer textarea').press('Enter');
    await sessionShows('tui', '<browser-bea> hello from the browser');

    await page.locator('.composer textarea').fill('/msg terminal-tess a word in private');
    await page.locator('.composer textarea').press('Enter');
    await sessionShows('tui', '(1!)');

    tmux.type('tui', '<quit>');
    await sessionShows('tui', 'Bye.');
    await page.locator('.log .system', { hasText: 'terminal-tess left the chat' }).waitFor();
  });
});

describe('one account on three devices', () => {
  it('a terminal, a page and a phone-width page: one person, every message on each', async () => {
    // The page registers the name; the terminal and the phone log in to it.
    const desk = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    await desk.goto(`${pageUrl}?server=127.0.0.1:${port}&name=multi-mo&connect=1`);
    await desk.locator('.status.registered').waitFor();
    await desk.locator('.composer textarea').fill('/register correct horse');
    await desk.locator('.composer textarea').press('Enter');
    await desk.getByRole('region', { name: 'You' }).getByText('account').waitFor();
    const phone = await browser.newPage({ viewport: { width: 390, height: 780 } });
    await phone.goto(`${pageUrl}?server=127.0.0.1:${port}`);
    await phone.locator('#name').fill('multi-mo');
    await phone.locator('#password').fill('correct horse');
    await phone.getByRole('button', { name: 'Connect' }).click();
    await phone.locator('.status.registered').waitFor();
    startTerminal(
      'mo',
      `--port ${port} --name multi-mo`,
      `XDG_CONFIG_HOME=${join(tmux.configHome, 'mo-devices')} `,
    );
    await sessionShows('mo', 'Password:');
    tmux.type('mo', 'correct horse');
    await sessionShows('mo', 'multi-mo (account)');
    // Someone else in the room sees one person.
    const other = await browser.newPage();
    await other.goto(`${pageUrl}?server=127.0.0.1:${port}&name=other-olga&connect=1`);
    await other.locator('.status.registered').waitFor();
    await other.locator('.members li', { hasText: 'other-olga' }).waitFor();
    await expect
      .poll(async () =>
        (await other.locator('.members li').allTextContents()).filter((n) => n === 'multi-mo'),
      )
      .toEqual(['multi-mo']);
    // Each device sees what the others send, its own sent messages included.
    tmux.type('mo', 'typed in the terminal');
    await desk.locator('.log .message', { hasText: 'typed in the terminal' }).waitFor();
    await phone.locator('.log .message', { hasText: 'typed in the terminal' }).waitFor();
    await phone.locator('.composer textarea').fill('sent from the phone');
    await phone.locator('.composer textarea').press('Enter');
    await sessionShows('mo', '<multi-mo> sent from the phone');
    await desk.locator('.log .message', { hasText: 'sent from the phone' }).waitFor();
    // A direct message to the account reaches all three.
    await other.locator('.composer textarea').fill('/msg multi-mo for every device');
    await other.locator('.composer textarea').press('Enter');
    await sessionShows('mo', 'other-olga (1!)');
    await desk.getByRole('button', { name: /other-olga, 1 unread/ }).waitFor();
    await phone.locator('.drawer-toggle').click();
    await phone.getByRole('button', { name: /other-olga, 1 unread/ }).waitFor();
    // Read on one device is read on all: the terminal opens the conversation, the pages' badges go.
    tmux.keys('mo', 'C-n');
    await sessionShows('mo', '<other-olga> for every device');
    const listed = (page: typeof desk, name: string) =>
      page.getByRole('navigation').getByRole('button', { name, exact: true });
    await listed(desk, 'other-olga').waitFor();
    await listed(phone, 'other-olga').waitFor();
    // And the other way: with no device in #general, a message there is unread on all three;
    // read on a page, the terminal's count goes.
    await listed(desk, 'other-olga').click();
    await listed(phone, 'other-olga').click();
    await other.locator('.composer textarea').fill('more for #general');
    await other.locator('.composer textarea').press('Enter');
    await tmux.waitFor('mo', /#general \(1\)/, 10_000);
    await desk
      .getByRole('navigation')
      .getByRole('button', { name: /^#general, 1 unread/ })
      .click();
    await desk.locator('.log .message', { hasText: 'more for #general' }).waitFor();
    await tmux.waitFor('mo', (screen) => !/#general \(1\)/.test(screen), 10_000);
    // A page that comes back later (a reload, its login kept) counts them read too.
    await desk.reload();
    await desk.locator('.status.registered').waitFor();
    await listed(desk, 'other-olga').waitFor();
    await listed(desk, '#general').waitFor();
  });
});

describe('one account on two nodes of a cluster, across a restart of both', () => {
  it('a terminal on one node and a page on the other keep one set of read markers', async () => {
    const redis = await startRedis();
    const cluster = { redis: redis.url, redisPrefix: `confab:e2e:${process.pid}-${Date.now()}:` };
    const nodes: ConfabServer[] = [];
    const ports: number[] = [];
    const startNodes = async () => {
      for (const i of [0, 1]) {
        const node = await startChatServer({ ...cluster, ...(ports[i] ? { port: ports[i] } : {}) });
        nodes[i] = node.server;
        ports[i] = node.port;
      }
    };
    let other: JsonClient | undefined;
    try {
      await startNodes();
      const [pagePort, terminalPort] = ports as [number, number];
      // The page on the first node makes the account; the terminal on the second logs in to it.
      const page = await browser.newPage();
      await page.goto(`${pageUrl}?server=127.0.0.1:${pagePort}&name=node-nia&connect=1`);
      await page.locator('.status.registered').waitFor();
      await page.locator('.composer textarea').fill('/register correct horse');
      await page.locator('.composer textarea').press('Enter');
      await page.getByRole('region', { name: 'You' }).getByText('account').waitFor();
      startTerminal(
        'nia',
        `--port ${terminalPort} --name node-nia`,
        `XDG_CONFIG_HOME=${join(tmux.configHome, 'nia-nodes')} `,
      );
      await sessionShows('nia', 'Password:');
      tmux.type('nia', 'correct horse');
      await sessionShows('nia', 'node-nia (account)');
      const listed = (name: string) =>
        page.getByRole('navigation').getByRole('button', { name, exact: true });

      // A direct message is unread on both; read in the terminal, it is read on the page.
      other = await JsonClient.connect(terminalPort);
      await other.register('node-ned');
      other.send({ type: 'dm', to: 'node-nia', text: 'across the nodes' });
      await sessionShows('nia', 'node-ned (1!)');
      await page.getByRole('button', { name: /node-ned, 1 unread/ }).waitFor();
      tmux.keys('nia', 'C-n');
      await sessionShows('nia', '<node-ned> across the nodes');
      await listed('node-ned').click();

      // Both nodes stop and start again; the clients come back by themselves.
      other.end();
      for (const node of nodes) await node.close();
      await page.locator('.status:not(.registered)').waitFor();
      await startNodes();
      await page.locator('.status.registered').waitFor({ timeout: 20_000 });
      await tmux.waitFor('nia', 'Reconnected', 20_000);
      other = await JsonClient.connect(pagePort);
      await other.register('node-ned');

      // Said in #general while neither device looks there: unread on both.
      other.send({ type: 'say', room: '#general', text: 'after the restart', ref: 'r' });
      await other.next('ack', (ack) => ack.ref === 'r');
      await tmux.waitFor('nia', /#general \(1\)/, 10_000);
      await page.getByRole('button', { name: /^#general, 1 unread/ }).waitFor();
      // The direct message read before the restart stays read on the page.
      await listed('node-ned').waitFor();
      // Read in the terminal, it is read on the page, on the other node.
      tmux.keys('nia', 'C-n');
      await sessionShows('nia', '<node-ned> after the restart');
      await listed('#general').waitFor();
      await page.reload();
      await page.locator('.status.registered').waitFor();
      await listed('#general').waitFor();
      await listed('node-ned').waitFor();
      await page.close();
    } finally {
      tmux.keys('nia', 'C-c');
      other?.end();
      for (const node of nodes) await node.close();
      await redis.stop();
    }
  });
});

describe('where the day changes', () => {
  it('both clients draw a line with the day: a date, Yesterday, Today', async () => {
    // Messages from three days back, yesterday and this morning, in a store made for it.
    const dir = mkdtempSync(join(tmpdir(), 'confab-e2e-days-'));
    const store = await SqliteStore.open({ dataDir: dir });
    const day = 24 * 60 * 60 * 1000;
    const earlier = new Date(Date.now() - 3 * day);
    earlier.setHours(12, 0, 0, 0);
    const posts: Array<[string, number]> = [
      ['three days back', earlier.getTime()],
      ['yesterday at noon', earlier.getTime() + 2 * day],
      // Earlier today, even a minute after midnight.
      ['this morning', Math.max(Date.now() - 60_000, new Date().setHours(0, 0, 0, 0))],
    ];
    for (const [text, ts] of posts)
      await store.append({
        id: text,
        roomKey: '#general',
        room: '#general',
        from: 'old',
        text,
        ts,
        action: false,
      });
    await store.close();
    const { server: dayServer, port: dayPort } = await startChatServer({ dataDir: dir });
    try {
      const weekday = earlier.toLocaleDateString('en-GB', { weekday: 'long' });

      startTerminal('days', `--port ${dayPort} --name dora`);
      const screen = await sessionShows('days', '<old> this morning');
      const lines = screen.split('\n');
      const above = (text: string) => lines[lines.findIndex((l) => l.includes(text)) - 1];
      expect(above('three days back')).toContain(`─── ${weekday} ${earlier.getDate()}`);
      expect(above('yesterday at noon')).toContain('─── Yesterday ───');
      expect(above('this morning')).toContain('─── Today ───');

      const page = await browser.newPage();
      await page.goto(`${pageUrl}?server=127.0.0.1:${dayPort}&name=dina&connect=1`);
      await page.locator('.log li', { hasText: 'this morning' }).waitFor();
      const items = await page
        .locator('.log .entries > li')
        .evaluateAll((lis) =>
          lis.map((li) =>
            li.classList.contains('day') ? `day:${li.textContent}` : li.textContent,
          ),
        );
      const before = (text: string) => items[items.findIndex((i) => i!.includes(text)) - 1];
      expect(before('three days back')).toMatch(
        new RegExp(`^day:${weekday} ${earlier.getDate()} \\w+ \\d{4}$`),
      );
      expect(before('yesterday at noon')).toBe('day:Yesterday');
      expect(before('this morning')).toBe('day:Today');
      await page.close();
    } finally {
      await dayServer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
