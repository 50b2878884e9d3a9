import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { servePage } from '../src/launcher/page-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

const pageRoot = fileURLToPath(new URL('../dist/page/', import.meta.url));
let server: ConfabServer;
let port: number;
let pageUrl: string;
let stopPage: () => void;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** A browser of its own (its own storage): a device. */
async function device(options: { width?: number } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1200, height: 760 },
  });
  contexts.push(context);
  return context.newPage();
}

/** Fills the connect screen and presses Connect. */
async function connect(page: Page, name: string, password = ''): Promise<void> {
  if (!page.url().startsWith(pageUrl)) await page.goto(`${pageUrl}?server=127.0.0.1:${port}`);
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
}

beforeAll(async () => {
  ({ server, port } = await startChatServer({ passwordCost: 10 }));
  const served = await servePage(pageRoot);
  pageUrl = served.url;
  stopPage = () => served.server.close();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  stopPage?.();
  await server?.close();
});

describe('accounts on the page', () => {
  it('registers the name with a password field, and comes back logged in after a reload', async () => {
    const page = await device();
    await connect(page, 'lena');
    const you = page.getByRole('region', { name: 'You' });
    await you.getByText('guest').waitFor();
    await you.getByRole('button', { name: 'Register this name' }).click();
    const field = you.getByLabel('A password to keep lena yours');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill('correct horse');
    await you.getByRole('button', { name: 'Register' }).click();
    await you.getByText('account').waitFor();
    await page.locator('.log .system', { hasText: 'You are logged in as lena' }).waitFor();
    // The login is kept: after a reload the page logs in with it, and asks nothing.
    const kept = await page.evaluate(() => localStorage.getItem('confab.logins'));
    expect(kept).toContain('"name":"lena"');
    expect(kept).not.toContain('correct horse');
    await page.reload();
    // The connect screen is filled in: the name from last time, no password to type.
    await page.locator('#name').waitFor();
    expect(await page.locator('#name').inputValue()).toBe('lena');
    expect(await page.locator('#password').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('region', { name: 'You' }).getByText('account').waitFor();
    expect(await page.locator('#connect-error').count()).toBe(0);
  });

  it('asks another device for the password of a registered name, and logs in with it', async () => {
    const page = await device();
    await connect(page, 'LENA');
    await expect
      .poll(() => page.locator('#connect-error').textContent())
      .toContain('LENA is a registered name: type its password');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
    await page.locator('#password').fill('wrong horse');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.locator('#connect-error').textContent())
      .toContain('the name or the password is wrong');
    await page.locator('#password').fill('correct horse');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('region', { name: 'You' }).getByText('account').waitFor();
  });

  it('after Leave offers the account it was logged in as, and Connect logs in to it again', async () => {
    const page = await device();
    await connect(page, 'gus');
    const you = page.getByRole('region', { name: 'You' });
    await you.getByText('guest').waitFor();
    await page.locator('.composer textarea').fill('/nick gustav');
    await page.locator('.composer textarea').press('Enter');
    await you.getByText('gustav').waitFor();
    await you.getByRole('button', { name: 'Register this name' }).click();
    await you.getByLabel('A password to keep gustav yours').fill('a long horse');
    await you.getByRole('button', { name: 'Register' }).click();
    await you.getByText('account').waitFor();
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.locator('#name').waitFor();
    expect(await page.locator('#name').inputValue()).toBe('gustav');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('region', { name: 'You' }).getByText('account').waitFor();
  });

  it('logs out: back at the connect screen, said quietly, the kept login forgotten', async () => {
    const page = await device();
    await connect(page, 'lena', 'correct horse');
    const you = page.getByRole('region', { name: 'You' });
    await you.getByText('account').waitFor();
    await you.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.locator('#connect-notice').textContent()).toBe('You logged out.');
    expect(await page.evaluate(() => localStorage.getItem('confab.logins'))).toBe('{}');
  });

  it('shows a direct message that waited while away as unread, with a line where the new ones start', async () => {
    const first = await device();
    await connect(first, 'wendy');
    await first.locator('.status.registered').waitFor();
    await first.locator('.composer textarea').fill('/register correct horse');
    await first.locator('.composer textarea').press('Enter');
    await first.getByRole('region', { name: 'You' }).getByText('account').waitFor();
    const sender = await device();
    await connect(sender, 'walt');
    await sender.locator('.status.registered').waitFor();
    await sender.locator('.composer textarea').fill('/msg wendy before you go');
    await sender.locator('.composer textarea').press('Enter');
    // Read on the device that was there: it opens the conversation.
    await first.getByRole('button', { name: /walt, 1 unread/ }).click();
    await first.locator('.log .message', { hasText: 'before you go' }).waitFor();
    await first.getByRole('button', { name: 'Leave' }).click();
    await first.locator('#connect-notice').waitFor();
    await sender.locator('.composer textarea').fill('/msg wendy this waited for you');
    await sender.locator('.composer textarea').press('Enter');
    await sender
      .getByRole('navigation')
      .getByRole('button', { name: /^wendy/ })
      .click();
    await sender.locator('.log .message', { hasText: 'this waited for you' }).waitFor();
    // Another device logs in: the one that waited is unread there, the one read is not.
    const second = await device();
    await connect(second, 'wendy', 'correct horse');
    await second.locator('.status.registered').waitFor();
    const badge = second.getByRole('button', { name: 'walt, 1 unread, mentions you' });
    await badge.waitFor();
    await badge.click();
    const log = second.locator('.log');
    await log.locator('.new-line').waitFor();
    const order = await log
      .locator('li')
      .evaluateAll((items) =>
        items.map((item) =>
          item.classList.contains('new-line')
            ? '--new--'
            : (item.querySelector('.text')?.textContent ?? ''),
        ),
      );
    // The read one above the line, the one that waited below it.
    expect(order.filter((text) => text !== '')).toEqual([
      'before you go',
      '--new--',
      'this waited for you',
    ]);
  });
});
