import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { PlainClient } from '@confab/test-kit';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

let server: ConfabServer;
let port: number;
let browser: Browser;

beforeAll(async () => {
  // `webPage` is left at `auto`: the server finds this package's built page itself.
  ({ server, port } = await startChatServer());
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the chat server serves the page', () => {
  it('at http://HOST:PORT/, where a browser chats with that server and nothing else running', async () => {
    const cy = await PlainClient.named(port, 'cy');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    // The page offers the server it came from.
    expect(await page.locator('#server').inputValue()).toBe(`127.0.0.1:${port}`);
    await page.locator('#name').fill('dee');
    await page.locator('button[type=submit]').click();
    await page.locator('.status.registered').waitFor();
    await page.locator('.composer textarea').fill('hello from the page the server served');
    await page.locator('.composer textarea').press('Enter');
    await cy.line('<dee> hello from the page the server served');
    await context.close();
    await cy.quit();
  });

  it('with a content security policy, no-cache and ETags that revalidate', async () => {
    const base = `http://127.0.0.1:${port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<script type="module" src="app.js"></script>');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = script.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${base}/app.js`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // Only the page's own files: nothing above its folder, nothing else.
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/index.ts', '/nope.js'])
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    // The server's own routes are still there.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('not with --web-page off: / then says what the server is', async () => {
    const { server: plain, port: plainPort } = await startChatServer({ webPage: 'off' });
    try {
      const answer = await fetch(`http://127.0.0.1:${plainPort}/`);
      expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await answer.text()).toContain('This is a Confab chat server.');
      expect((await fetch(`http://127.0.0.1:${plainPort}/app.js`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
