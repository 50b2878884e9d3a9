import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePage } from '@confab/client-gui';
import { createServer } from '@confab/server';
import type { ConfabServer } from '@confab/server';

const tuiCli = fileURLToPath(new URL('../../../packages/client-tui/dist/cli.js', import.meta.url));
const pageRoot = fileURLToPath(new URL('../../../packages/client-gui/dist/page/', import.meta.url));
const tmuxSocket = `confab-e2e-${process.pid}`;
let server: ConfabServer;
let port: number;
let browser: Browser;
let stopPage: () => void;
let pageUrl: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', tmuxSocket, ...args], { encoding: 'utf8' });
}

async function screenShows(text: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux('capture-pane', '-p', '-t', 'tui');
    if (screen.includes(text)) return screen;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the terminal never showed ${text}:\n${screen}`);
}

beforeAll(async () => {
  server = createServer({ port: 0, store: 'memory', logLevel: 'silent' });
  ({ port } = await server.listen());
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
  tmux(
    'new-session',
    '-d',
    '-s',
    'tui',
    '-x',
    '120',
    '-y',
    '30',
    `LANG=C.UTF-8 ${process.execPath} ${tuiCli} --host 127.0.0.1 --port ${port} --name terminal-tess; sleep 30`,
  );
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  await browser?.close();
  stopPage?.();
  await server?.close();
});

describe('a terminal user and a browser user', () => {
  it('chat with each other, both ways, directly too', async () => {
    await screenShows('write <quit>');
    const page = await browser.newPage();
    await page.goto(`${pageUrl}?server=127.0.0.1:${port}&name=browser-bea&connect=1`);
    await page.locator('.status.registered').waitFor();
    await screenShows('browser-bea joined #general');
    await expect
      .poll(async () => (await page.locator('.members li').allTextContents()).sort())
      .toEqual(['browser-bea', 'terminal-tess']);

    tmux('send-keys', '-t', 'tui', '-l', 'hello from the terminal');
    tmux('send-keys', '-t', 'tui', 'Enter');
    await page.locator('.log li', { hasText: 'hello from the terminal' }).waitFor();
    expect(
      await page
        .locator('.log li', { hasText: 'hello from the terminal' })
        .locator('.name')
        .textContent(),
    ).toBe('terminal-tess');

    await page.locator('.composer textarea').fill('hello from the browser');
    await page.locator('.composer textarea').press('Enter');
    await screenShows('<browser-bea> hello from the browser');

    await page.locator('.composer textarea').fill('/msg terminal-tess a word in private');
    await page.locator('.composer textarea').press('Enter');
    await screenShows('(1!)');

    tmux('send-keys', '-t', 'tui', '-l', '<quit>');
    tmux('send-keys', '-t', 'tui', 'Enter');
    await screenShows('Bye.');
    await page.locator('.log .system', { hasText: 'terminal-tess left the chat' }).waitFor();
  });
});
