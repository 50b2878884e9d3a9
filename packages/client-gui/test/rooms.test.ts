import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, ROOMS, joinRoom } from '@confab/test-kit';
import { servePage } from '../src/launcher/page-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, screenshotDir } from './chromium.js';

const require = createRequire(import.meta.url);
const pageRoot = fileURLToPath(new URL('../dist/page/', import.meta.url));
const shots = screenshotDir();
const PASSWORD = 'correct horse';
let server: ConfabServer;
let port: number;
let pageUrl: string;
let stopPage: () => void;
let browser: Browser;
const contexts: BrowserContext[] = [];
const clients: JsonClient[] = [];

/** Someone on another client (the JSON stream): an account made now (or a guest), in `rooms`. */
async function other(name: string, rooms: string[], account = true): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  clients.push(client);
  const login = account ? { password: PASSWORD, register: true } : {};
  await client.register(name, { ...login, ...ROOMS });
  for (const room of rooms) await joinRoom(client, room);
  return client;
}

/**
 * The page, logged in to the account `name` (`make`: made first, elsewhere),
 * or (`account: false`) a guest.
 */
async function openChat(
  name: string,
  options: { account?: boolean; make?: boolean } = {},
): Promise<Page> {
  if (options.account !== false && options.make !== false) {
    const maker = await other(name, []);
    await maker.quit();
  }
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${pageUrl}?server=127.0.0.1:${port}`);
  await page.locator('#name').fill(name);
  if (options.account !== false) await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('.status.registered').waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('.composer textarea').fill(text);
  await page.locator('.composer textarea').press('Enter');
}

/** A member's menu in the member list, opened. */
async function menuOf(page: Page, name: string) {
  await page
    .locator('.members')
    .getByRole('button', { name: new RegExp(`^${name}\\b`) })
    .click();
  return page.getByRole('menu', { name: new RegExp(`^${name} in`) });
}

/** axe-core's serious and critical findings in the page. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string }> }> };
      }
    ).axe;
    return (await axe.run()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id);
  });
}

beforeAll(async () => {
  ({ server, port } = await startChatServer({ passwordCost: 10, rateLimit: 0 }));
  const served = await servePage(pageRoot);
  pageUrl = served.url;
  stopPage = () => served.server.close();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  for (const client of clients) client.end();
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  stopPage?.();
  await server?.close();
});

describe('rooms on the page', () => {
  let olga: Page;

  it('shows a room’s topic, owner and modes under its name, the topic as text', async () => {
    olga = await openChat('olga');
    await say(olga, '/join #den');
    const info = olga.locator('.room-info');
    await info.getByText('owned by olga · topic locked').waitFor();
    await expect.poll(() => info.locator('.topic').textContent()).toBe('No topic');
    await say(olga, '/topic dens <img src=x onerror="document.title=1"> and burrows');
    await expect
      .poll(() => info.locator('.topic').textContent())
      .toBe('dens <img src=x onerror="document.title=1"> and burrows');
    expect(await olga.locator('.room-info img').count()).toBe(0);
    await olga.locator('.log .system', { hasText: 'You set the topic of #den' }).waitFor();
  });

  it('gives the owner a menu on each name: a moderator made there is marked @', async () => {
    const bob = await other('bob', ['#den']);
    const menu = await menuOf(olga, 'bob');
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Write to bob',
      'Remove from the room',
      'Ban for an hour',
      'Ban for a day',
      'Ban until lifted',
      'Mute for 10 minutes',
      'Let speak again',
      'Give voice',
      'Make moderator',
      'Hand the room on',
    ]);
    await olga.screenshot({ path: join(shots, 'member-menu.png') });
    expect(await accessibilityProblems(olga)).toEqual([]);
    await menu.getByRole('menuitem', { name: 'Make moderator' }).click();
    await olga.locator('.log .system', { hasText: 'You made bob a moderator of #den' }).waitFor();
    await bob.next('mod', (f) => f.action === 'role' && f.by === 'olga');
    await expect
      .poll(() => olga.locator('.members .member', { hasText: 'bob' }).textContent())
      .toBe('@bob');
    // The owner and moderators first.
    expect(await olga.locator('.members .member').allTextContents()).toEqual(['@olga', '@bob']);
  });

  it('removes someone from the menu: they leave with who and why, and a moderator’s menu has less', async () => {
    const cy = await other('cy', ['#den'], false);
    await olga.locator('.members .member', { hasText: 'cy' }).waitFor();
    const menu = await menuOf(olga, 'cy');
    await menu.getByRole('menuitem', { name: 'Remove from the room' }).click();
    await cy.next('left', (f) => f.reason === 'kicked' && f.by === 'olga');
    await olga.locator('.log .system', { hasText: 'cy was removed from #den by olga' }).waitFor();
    // A moderator's menu: nothing on the owner, and no roles to give.
    const bobsPage = await openChat('bob', { make: false });
    await bobsPage.getByRole('button', { name: '#den' }).click();
    await bobsPage.locator('.members .member', { hasText: 'olga' }).waitFor();
    expect(await (await menuOf(bobsPage, 'olga')).getByRole('menuitem').allTextContents()).toEqual([
      'Write to olga',
    ]);
    await other('dee', ['#den'], false);
    await bobsPage.keyboard.press('Escape');
    const onDee = await menuOf(bobsPage, 'dee');
    const items = await onDee.getByRole('menuitem').allTextContents();
    expect(items).toContain('Remove from the room');
    expect(items).not.toContain('Make moderator');
    expect(items).not.toContain('Hand the room on');
  });

  it('tells someone banned from the menu why, takes them out of the room, and keeps them out', async () => {
    const uma = await openChat('uma');
    await say(uma, '/join #den');
    await uma.locator('.room-info').getByText('owned by olga').waitFor();
    await olga.locator('.members .member', { hasText: 'uma' }).waitFor();
    const menu = await menuOf(olga, 'uma');
    await menu.getByRole('menuitem', { name: 'Ban for an hour' }).click();
    await uma
      .locator('.log .system.error', { hasText: /You were banned from #den by olga until \d/ })
      .waitFor();
    // Back in #general; #den is out of her list, and she is not put back in it.
    await expect.poll(() => uma.locator('.room-title').textContent()).toBe('#general');
    expect(await uma.locator('.conversation', { hasText: '#den' }).count()).toBe(0);
    await say(uma, '/join #den');
    await uma.locator('.log .system.error', { hasText: 'you are banned from #den' }).waitFor();
    await uma.screenshot({ path: join(shots, 'banned.png') });
  });

  it('browses the room list and joins from it', async () => {
    const uma = await openChat('una', { account: false });
    await other('finn', ['#fishing']);
    await uma.getByRole('button', { name: 'Browse rooms' }).click();
    const list = uma.getByRole('dialog', { name: 'Rooms' });
    await list.getByText('#fishing').waitFor();
    await list.getByText('dens <img').waitFor();
    await uma.screenshot({ path: join(shots, 'room-list.png') });
    expect(await accessibilityProblems(uma)).toEqual([]);
    await list.getByRole('searchbox', { name: 'Find a room' }).fill('fish');
    await list.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => list.locator('.room-name').allTextContents()).toEqual(['#fishing']);
    await list.getByRole('button', { name: 'Join #fishing' }).click();
    await expect.poll(() => uma.locator('.room-title').textContent()).toBe('#fishing');
    await uma.locator('.room-info').getByText('owned by finn').waitFor();
  });

  it('suggests commands as they are typed, and Tab takes the first', async () => {
    const field = olga.locator('.composer textarea');
    await field.fill('/ki');
    const suggestions = olga.getByRole('list', { name: 'Commands' });
    await suggestions.getByText('/kick [#room] name [reason]').waitFor();
    await field.press('Tab');
    await expect.poll(() => field.inputValue()).toBe('/kick ');
    await field.fill('/');
    expect(await suggestions.locator('li').count()).toBe(8);
    await field.fill('');
  });
});
