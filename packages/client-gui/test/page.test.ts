import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@confab/server';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, PlainClient } from '@confab/test-kit';
import { servePage } from '../src/launcher/page-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, screenshotDir } from './chromium.js';

const require = createRequire(import.meta.url);
const pageRoot = fileURLToPath(new URL('../dist/page/', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'confab-gui-'));
const shots = screenshotDir();
let server: ConfabServer;
let port: number;
let pageUrl: string;
let stopPage: () => void;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function startServer(atPort = 0): Promise<void> {
  ({ server, port } = await startChatServer({ port: atPort, dataDir, rateLimit: 0 }));
}

/** Opens the page as `name` (connecting at once), in the given colour scheme and size. */
async function openChat(
  name: string,
  options: { dark?: boolean; width?: number; height?: number; locale?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    ...(options.locale ? { locale: options.locale } : {}),
    viewport: { width: options.width ?? 1200, height: options.height ?? 760 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${pageUrl}?server=127.0.0.1:${port}&name=${encodeURIComponent(name)}&connect=1`);
  await page.locator('.chat').waitFor();
  await page.locator('.status.registered').waitFor();
  return page;
}

/** Types into the composer and presses Enter. */
async function say(page: Page, text: string): Promise<void> {
  await page.locator('.composer textarea').fill(text);
  await page.locator('.composer textarea').press('Enter');
}

/** Runs axe-core in the page; returns the serious and critical violations. */
async function accessibilityProblems(
  page: Page,
): Promise<Array<{ id: string; impact: string; nodes: number; detail: string }>> {
  // Evaluated over the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: () => Promise<{
            violations: Array<{ id: string; impact: string; nodes: unknown[] }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.length,
      detail: JSON.stringify(
        v.nodes
          .slice(0, 4)
          .map((n) => [
            (n as { target: unknown }).target,
            (n as { failureSummary: string }).failureSummary,
          ]),
      ),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

beforeAll(async () => {
  await startServer();
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
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the chat page', () => {
  it('shows a connect screen that says clearly when a server cannot be reached', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    const response = await page.goto(pageUrl);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#server').fill('127.0.0.1:1');
    await page.locator('#name').fill('ada');
    await page.screenshot({ path: join(shots, 'connect-light.png') });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shots, 'connect-dark.png') });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.locator('#connect-error').textContent())
      .toContain('Cannot connect');
    await context.close();
  });

  it('puts two pages and a plain-text person in one room: messages both ways, members, names', async () => {
    const ada = await openChat('ada');
    const bob = await openChat('bob', { dark: true });
    const pat = await PlainClient.named(port, 'pat');
    await say(ada, 'hello from the web');
    await bob.locator('.log .message', { hasText: 'hello from the web' }).waitFor();
    await pat.line('<ada> hello from the web');
    pat.type('hello from a terminal');
    await ada.locator('.log .message', { hasText: 'hello from a terminal' }).waitFor();
    await bob.locator('.log .message', { hasText: 'hello from a terminal' }).waitFor();
    const members = await ada.locator('.members li').allTextContents();
    expect(members.sort()).toEqual(['ada', 'bob', 'pat']);
    expect(await ada.locator('.log .message .name').first().textContent()).toBe('ada');
    // A mention of bob is highlighted on bob's page.
    await say(ada, 'bob, are you there?');
    await bob.locator('.log .message.mention', { hasText: 'are you there' }).waitFor();
    await pat.quit();
  });

  it('sends a direct message with /msg, counted unread until opened', async () => {
    const ada = await openChat('dm-ada');
    const bob = await openChat('dm-bob');
    await say(ada, '/msg dm-bob just between us');
    const badge = bob.getByRole('button', { name: /dm-ada, 1 unread, mentions you/ });
    await badge.waitFor();
    await badge.click();
    await bob.locator('.log .message', { hasText: 'just between us' }).waitFor();
    expect(await bob.locator('.room-title').textContent()).toBe('dm-ada');
  });

  it('keeps a direct conversation across a reload, and follows the other person’s /nick', async () => {
    const ada = await openChat('rel-ada');
    const bob = await openChat('rel-bob');
    await say(ada, '/msg rel-bob are you keeping this?');
    await bob.getByRole('button', { name: /rel-ada, 1 unread/ }).click();
    await say(bob, 'yes, it is kept');
    await ada.getByRole('button', { name: /rel-bob, 1 unread/ }).waitFor();
    await ada.reload();
    await ada.locator('.status.registered').waitFor();
    // Back from the reload: the conversation is there, in order, and what ada had not
    // read yet is still unread (the server keeps where she read up to).
    await ada
      .getByRole('navigation')
      .getByRole('button', { name: /^rel-bob, 1 unread/ })
      .click();
    await ada.locator('.log .message', { hasText: 'yes, it is kept' }).waitFor();
    expect(await ada.locator('.log .message .text').allTextContents()).toEqual([
      'are you keeping this?',
      'yes, it is kept',
    ]);
    // bob takes another name: the conversation follows, and a reply reaches him.
    await say(bob, '/nick rel-bob2');
    await ada.locator('.room-title', { hasText: 'rel-bob2' }).waitFor();
    await ada.locator('.log .system', { hasText: 'rel-bob is now known as rel-bob2' }).waitFor();
    await say(ada, 'found you');
    await bob.locator('.log .message', { hasText: 'found you' }).waitFor();
  });

  it('answers /who with a line listing the room’s members', async () => {
    const ada = await openChat('who-ada');
    const bob = await openChat('who-bob');
    await say(ada, '/join #whoroom');
    await say(bob, '/join #whoroom');
    await ada.locator('.members li', { hasText: 'who-bob' }).waitFor();
    await say(ada, '/who');
    await ada.locator('.log .system', { hasText: 'In #whoroom (2): who-ada, who-bob' }).waitFor();
  });

  it('keeps a message that is too long in the input, to be mended', async () => {
    const page = await openChat('verbose');
    const long = 'z'.repeat(5000);
    await say(page, long);
    await page.locator('.log .system.error', { hasText: 'Message too long' }).waitFor();
    expect(await page.locator('.composer textarea').inputValue()).toBe(long);
  });

  it('shows an HTML and script payload as text, never runs it, and links only http(s)', async () => {
    const reader = await openChat('reader');
    const pat = await PlainClient.named(port, 'mallory');
    const payload =
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>not bold</b> javascript:alert(3) https://example.com/path?q=1';
    pat.type(payload);
    const line = reader.locator('.log .message', { hasText: 'not bold' });
    await line.waitFor();
    expect(await line.locator('.text').last().textContent()).toBe(payload);
    expect(await line.locator('img, script, b').count()).toBe(0);
    expect(
      await reader.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    const links = line.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://example.com/path?q=1');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await links.getAttribute('target')).toBe('_blank');
    await pat.quit();
  });

  it('shows controls and bidi overrides escaped, as the terminal client does, and isolates names and texts', async () => {
    const reader = await openChat('reader2');
    const pat = await PlainClient.named(port, 'דנה');
    // U+202E would show `txt.exe` as `exe.txt`; BEL and a zero-width space show as nothing.
    pat.type('open invoice\u202Etxt.exe now, ring\u0007bell, zero\u200Bwidth');
    const line = reader.locator('.log .message', { hasText: 'open invoice' });
    await line.waitFor();
    const shown = (await line.locator('.text').last().textContent())!;
    expect(shown).toBe('open invoice\\u202etxt.exe now, ring^Gbell, zero\\u200bwidth');
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u202e\u0007\u200b]/);
    // The name is isolated (<bdi>), the text takes its own direction without reordering the rest.
    expect(await line.locator('bdi.name').textContent()).toBe('דנה');
    expect(await line.locator('.text').last().getAttribute('dir')).toBe('auto');
    await pat.quit();
  });

  it('at phone width opens one drawer: the rooms above the members, neither over the other', async () => {
    const phone = await openChat('phil', { width: 390, height: 760 });
    await phone.getByRole('button', { name: 'Rooms and members' }).click();
    const side = await phone.locator('.sidebar').boundingBox();
    const members = await phone.locator('.members').boundingBox();
    expect(side && members).toBeTruthy();
    // Stacked in one column, the members starting below where the rooms end.
    expect(members!.x).toBe(side!.x);
    expect(members!.y).toBeGreaterThanOrEqual(side!.y + side!.height);
    for (const panel of ['.sidebar', '.members']) {
      const background = await phone
        .locator(panel)
        .evaluate((element) => getComputedStyle(element).backgroundColor);
      // Opaque: no chat text shows through.
      expect(background, panel).toMatch(/^rgb\(/);
    }
    await phone.screenshot({ path: join(shots, 'phone-drawer.png') });
    await phone.keyboard.press('Escape');
    await expect.poll(() => phone.locator('.members').isVisible()).toBe(false);
  });

  it('shows who is typing above the input, and tells the others while a message is written', async () => {
    const page = await openChat('tina');
    const bob = await JsonClient.connect(port);
    await bob.register('bob-types', { features: ['rooms', 'typing'] });
    bob.send({ type: 'typing', room: '#general' });
    await page.locator('.typing', { hasText: 'bob-types is typing…' }).waitFor();
    await page.screenshot({ path: join(shots, 'typing.png') });
    bob.send({ type: 'say', room: '#general', text: 'typed it', ref: 't' });
    await page.locator('.log .message', { hasText: 'typed it' }).waitFor();
    await expect.poll(() => page.locator('.typing').textContent()).toBe('');
    // Writing is told; emptying the line tells that it stopped.
    await page.locator('.composer textarea').pressSequentially('on its w');
    expect(await bob.next('typing', (t) => t.name === 'tina')).toEqual({
      type: 'typing',
      name: 'tina',
      room: '#general',
    });
    await page.locator('.composer textarea').fill('');
    expect(await bob.next('typing', (t) => t.name === 'tina')).toMatchObject({ stopped: true });
    // Turned off, and still off on the next visit.
    await say(page, '/typing off');
    await page.locator('.log .system', { hasText: 'no longer see when you are typing' }).waitFor();
    await page.reload();
    await page.locator('.status.registered').waitFor();
    await say(page, 'written quietly');
    const before = await bob.before('message', (m) => m.text === 'written quietly');
    expect(before.filter((f) => f.type === 'typing' && f.name === 'tina')).toEqual([]);
    bob.end();
  });

  it('answers a message with its Reply button, shows the quoted line, and goes to the original on a click', async () => {
    const page = await openChat('rita');
    const bob = await JsonClient.connect(port);
    await bob.register('bob-asks');
    bob.send({ type: 'say', room: '#general', text: 'who brings the cake?', ref: 'q' });
    const question = (await bob.next('ack', (a) => a.ref === 'q')).id;
    const asked = page.locator('.log .message', { hasText: 'who brings the cake?' }).first();
    await asked.hover();
    await page.getByRole('button', { name: 'Reply to bob-asks' }).click();
    await page.locator('.composer .answering', { hasText: 'who brings the cake?' }).waitFor();
    // The input has the focus: the answer is typed at once.
    await page.locator('.composer textarea:focus').waitFor();
    await page.keyboard.type('I will');
    await page.keyboard.press('Enter');
    expect(await bob.next('message', (m) => m.text === 'I will')).toMatchObject({
      from: 'rita',
      reply: { id: question, from: 'bob-asks', text: 'who brings the cake?' },
    });
    await expect.poll(() => page.locator('.composer .answering').count()).toBe(0);
    const quote = page.locator('.log .message', { hasText: 'I will' }).locator('.quote');
    expect(await quote.textContent()).toBe('↪ bob-asks: who brings the cake?');
    await page.screenshot({ path: join(shots, 'reply.png') });
    await quote.click();
    await expect.poll(() => asked.getAttribute('class')).toContain('flash');
    // Esc in the input forgets a reply picked by mistake.
    await asked.hover();
    await page.getByRole('button', { name: 'Reply to bob-asks' }).click();
    await page.locator('.composer .answering').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.composer .answering').count()).toBe(0);
    bob.end();
  });

  it('puts reactions under a message: the React picker, a click on one to toggle it, and /react', async () => {
    const page = await openChat('rhea');
    const bob = await JsonClient.connect(port);
    await bob.register('bob-reacts', { features: ['reactions'] });
    bob.send({ type: 'say', room: '#general', text: 'the build is green', ref: 'g' });
    const id = (await bob.next('ack', (a) => a.ref === 'g')).id;
    const message = page.locator('.log .message', { hasText: 'the build is green' }).first();
    // Someone else's reaction shows, counted, not pressed.
    bob.send({ type: 'react', room: '#general', id, emoji: '🎉' });
    const party = message.getByRole('button', { name: '🎉 1' });
    await party.waitFor();
    expect(await party.getAttribute('aria-pressed')).toBe('false');
    // The picker puts one on; it shows as the person's own.
    await message.hover();
    await page.getByRole('button', { name: 'React to bob-reacts' }).click();
    await page.getByRole('menuitem', { name: '👍' }).click();
    expect(await bob.next('reaction', (r) => r.name === 'rhea')).toMatchObject({
      id,
      emoji: '👍',
      count: 1,
    });
    const mine = message.getByRole('button', { name: '👍 1, yours' });
    await mine.waitFor();
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('menu').count()).toBe(0);
    // A click on the other's adds the person's; a click on their own takes it off.
    await party.click();
    await message.getByRole('button', { name: '🎉 2, yours' }).waitFor();
    await page.screenshot({ path: join(shots, 'reactions.png') });
    await mine.click();
    await expect.poll(() => message.getByRole('button', { name: /^👍/ }).count()).toBe(0);
    // /react N emoji names the message back; /react N alone opens its picker.
    await say(page, '/react 1 😮');
    await message.getByRole('button', { name: '😮 1, yours' }).waitFor();
    await say(page, '/react 1');
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu').count()).toBe(0);
    bob.end();
  });

  it('edits and deletes: Edit mends your message in the input, Delete leaves a line saying so; others’ changes show live', async () => {
    const page = await openChat('edna');
    const bob = await JsonClient.connect(port);
    await bob.register('bob-edits', { features: ['edits'] });
    await say(page, 'the meeting is at 3');
    const mine = page.locator('.log .message', { hasText: 'the meeting is at 3' }).first();
    const id = (await bob.next('message', (m) => m.text === 'the meeting is at 3')).id;
    // Edit: the text goes into the input, Enter saves it.
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit your message' }).click();
    const box = page.locator('.composer textarea');
    await expect.poll(() => box.inputValue()).toBe('the meeting is at 3');
    await box.fill('the meeting is at 4');
    await box.press('Enter');
    expect(await bob.next('edited')).toMatchObject({ id, text: 'the meeting is at 4' });
    const edited = page.locator('.log .message', { hasText: 'the meeting is at 4' }).first();
    expect(await edited.locator('.edited').textContent()).toBe(' (edited)');
    expect(await box.inputValue()).toBe('');
    // Someone else's edit shows live; a reply to a message deleted since says so.
    bob.send({ type: 'say', room: '#general', text: 'lunch after?', ref: 'l' });
    const lunch = (await bob.next('ack', (a) => a.ref === 'l')).id;
    bob.send({ type: 'edit', room: '#general', id: lunch, text: 'lunch after, at noon?' });
    const asked = page.locator('.log .message', { hasText: 'lunch after, at noon?' }).first();
    await asked.locator('.edited').waitFor();
    await asked.hover();
    await asked.getByRole('button', { name: 'Reply to bob-edits' }).click();
    await page.locator('.composer .answering', { hasText: 'lunch after, at noon?' }).waitFor();
    await page.locator('.composer textarea:focus').waitFor();
    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');
    await bob.next('message', (m) => m.text === 'yes');
    bob.send({ type: 'delete', room: '#general', id: lunch });
    await page.locator('.log .tombstone', { hasText: 'Message from bob-edits deleted' }).waitFor();
    const quote = page.locator('.log .message', { hasText: 'yes' }).locator('.quote');
    await expect.poll(() => quote.textContent()).toBe('↪ bob-edits: message deleted');
    // Delete, once confirmed: everyone sees it go.
    page.once('dialog', (dialog) => void dialog.accept());
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete your message' }).click();
    expect(await bob.next('deleted', (d) => d.id === id)).toMatchObject({
      from: 'edna',
      deleted_by: 'edna',
    });
    await page.locator('.log .tombstone', { hasText: 'Message from edna deleted' }).waitFor();
    await page.screenshot({ path: join(shots, 'edits.png') });
    // No one else's message has an Edit or Delete button for a member.
    expect(await page.getByRole('button', { name: /Delete the message from/ }).count()).toBe(0);
    bob.end();
  });

  it('reacts to, edits and deletes a direct message: both ends see it, and a reload keeps it', async () => {
    const ada = await openChat('dmc-ada');
    const bob = await openChat('dmc-bob');
    await say(ada, '/msg dmc-bob lunch at noon?');
    await bob.getByRole('button', { name: /dmc-ada, 1 unread/ }).click();
    const theirs = bob.locator('.log .message', { hasText: 'lunch at noon?' }).first();
    await theirs.hover();
    await bob.getByRole('button', { name: 'React to dmc-ada' }).click();
    await bob.getByRole('menuitem', { name: '👍' }).click();
    await theirs.getByRole('button', { name: '👍 1, yours' }).waitFor();
    await ada.getByRole('navigation').getByRole('button', { name: 'dmc-bob', exact: true }).click();
    const mine = ada.locator('.log .message', { hasText: 'lunch at noon?' }).first();
    await mine.getByRole('button', { name: '👍 1' }).waitFor();
    // Only the sender may edit or delete it.
    expect(await theirs.getByRole('button', { name: /Edit|Delete/ }).count()).toBe(0);
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit your message' }).click();
    const box = ada.locator('.composer textarea');
    await expect.poll(() => box.inputValue()).toBe('lunch at noon?');
    await box.fill('lunch at one?');
    await box.press('Enter');
    const edited = bob.locator('.log .message', { hasText: 'lunch at one?' }).first();
    await edited.locator('.edited').waitFor();
    await say(ada, 'or dinner');
    await bob.locator('.log .message', { hasText: 'or dinner' }).waitFor();
    // A reload reads the conversation back as it is now.
    await bob.reload();
    await bob.locator('.status.registered').waitFor();
    await bob
      .getByRole('navigation')
      .getByRole('button', { name: /^dmc-ada/ })
      .click();
    const kept = bob.locator('.log .message', { hasText: 'lunch at one?' }).first();
    await kept.locator('.edited').waitFor();
    await kept.getByRole('button', { name: '👍 1, yours' }).waitFor();
    ada.once('dialog', (dialog) => void dialog.accept());
    const dinner = ada.locator('.log .message', { hasText: 'or dinner' }).first();
    await dinner.hover();
    await dinner.getByRole('button', { name: 'Delete your message' }).click();
    await bob.locator('.log .tombstone', { hasText: 'Message from dmc-ada deleted' }).waitFor();
    await ada.locator('.log .tombstone', { hasText: 'Message from dmc-ada deleted' }).waitFor();
  });

  it('goes to the message a reply answers when it is further back, loading older history to find it', async () => {
    const bob = await JsonClient.connect(port);
    await bob.register('bob-long');
    bob.send({ type: 'join', room: '#long' });
    await bob.next('history', (h) => h.room === '#long');
    let n = 0;
    const post = async (text: string, reply_to?: string) => {
      const ref = `l${++n}`;
      bob.send({ type: 'say', room: '#long', text, ref, ...(reply_to ? { reply_to } : {}) });
      return (await bob.next('ack', (a) => a.ref === ref)).id;
    };
    const original = await post('the original question');
    for (let i = 0; i < 120; i++) await post(`filler ${i}`);
    await post('the answer, at last', original);
    const page = await openChat('quinn');
    await say(page, '/join #long');
    const answer = page.locator('.log .message', { hasText: 'the answer, at last' });
    await answer.waitFor();
    // The join brought the newest 50: the original is not among them (only the quote of it).
    const found = page.locator('.log li.message').filter({
      has: page.locator(':scope > .body > .text', { hasText: 'the original question' }),
    });
    expect(await found.count()).toBe(0);
    await answer.locator('.quote').click();
    await expect.poll(() => found.getAttribute('class')).toContain('flash');
    bob.end();
  });

  it('searches from its Search panel: hits marked, one opened where it is, loading older history', async () => {
    const bob = await JsonClient.connect(port);
    await bob.register('bob-finds');
    bob.send({ type: 'join', room: '#finds' });
    await bob.next('history', (h) => h.room === '#finds');
    let n = 0;
    const post = async (text: string) => {
      const ref = `s${++n}`;
      bob.send({ type: 'say', room: '#finds', text, ref });
      await bob.next('ack', (a) => a.ref === ref);
    };
    await post('the spare key is under the <b>blue</b> pot');
    for (let i = 0; i < 120; i++) await post(`filler ${i}`);
    await post('found the key, thanks');
    const page = await openChat('sol');
    await say(page, '/join #finds');
    await page.locator('.log .message', { hasText: 'found the key, thanks' }).waitFor();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('key in:#finds');
    await box.press('Enter');
    const hits = page.getByRole('list', { name: 'Messages found for key' }).getByRole('button');
    await expect.poll(() => hits.count()).toBe(2);
    // What matched is marked, as text: the markup in the message stays text.
    const older = hits.nth(1);
    expect(await older.locator('mark').allTextContents()).toEqual(['key']);
    expect(await older.locator('.hit-text').textContent()).toBe(
      'the spare key is under the <b>blue</b> pot',
    );
    expect(await older.locator('b').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'search.png') });
    await older.click();
    expect(await page.getByRole('dialog', { name: 'Search' }).count()).toBe(0);
    const found = page.locator('.log li.message').filter({
      has: page.locator(':scope > .body > .text', { hasText: 'the spare key is under' }),
    });
    await found.waitFor();
    await expect.poll(() => found.getAttribute('class')).toContain('flash');
    // /search typed opens the panel too; a refusal says why.
    await say(page, '/search ok');
    await page.locator('.log .system', { hasText: 'need at least 3 characters' }).waitFor();
    await say(page, '/search filler in:#finds');
    await expect
      .poll(() =>
        page.getByRole('list', { name: 'Messages found for filler' }).getByRole('button').count(),
      )
      .toBe(20);
    await page.getByRole('button', { name: 'Older messages' }).click();
    await expect
      .poll(() =>
        page.getByRole('list', { name: 'Messages found for filler' }).getByRole('button').count(),
      )
      .toBe(40);
    bob.end();
  });

  it('notifies of a mention or a direct message while hidden, switchable off; highlight words count too', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: new URL(pageUrl).origin });
    // The real Notification, each one it shows recorded; the page seen as hidden when the test says.
    await context.addInitScript(() => {
      const state = window as unknown as { shown: string[]; hidden: boolean };
      state.shown = [];
      state.hidden = false;
      const Real = window.Notification;
      const recorded = new Proxy(Real, {
        construct(target, args: [string, NotificationOptions?]) {
          state.shown.push(`${args[0]}: ${args[1]?.body ?? ''}`);
          return Reflect.construct(target, args) as object;
        },
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
      Object.defineProperty(window, 'Notification', { value: recorded, configurable: true });
      Object.defineProperty(document, 'hidden', { get: () => state.hidden, configurable: true });
    });
    const page = await context.newPage();
    await page.goto(`${pageUrl}?server=127.0.0.1:${port}&name=nia&connect=1`);
    await page.locator('.status.registered').waitFor();
    const shown = () => page.evaluate(() => (window as unknown as { shown: string[] }).shown);
    const hide = (hidden: boolean) =>
      page.evaluate((value) => {
        (window as unknown as { hidden: boolean }).hidden = value;
      }, hidden);
    const bob = await JsonClient.connect(port);
    await bob.register('bob-n');
    const tell = async (text: string) => {
      bob.send({ type: 'say', room: '#general', text });
      await page.locator('.log .message', { hasText: text }).first().waitFor();
    };
    await hide(true);
    await tell('nia, are you there?');
    bob.send({ type: 'dm', to: 'nia', text: 'just to you' });
    await expect
      .poll(shown)
      .toEqual(['bob-n in #general: nia, are you there?', 'bob-n wrote to you: just to you']);
    // Seen in front: no notification.
    await hide(false);
    await tell('nia again, in front of you');
    // Switched off, none; a highlight word counts as the name does.
    await say(page, '/notify off');
    await hide(true);
    await tell('nia, you will not be told');
    await hide(false);
    await say(page, '/notify on');
    await say(page, '/highlight deploy');
    await hide(true);
    await tell('the deploy is done');
    await expect
      .poll(shown)
      .toEqual([
        'bob-n in #general: nia, are you there?',
        'bob-n wrote to you: just to you',
        'bob-n in #general: the deploy is done',
      ]);
    const highlighted = page.locator('.log .message', { hasText: 'the deploy is done' }).first();
    expect(await highlighted.getAttribute('class')).toContain('mention');
    // Kept for next time.
    await hide(false);
    await page.reload();
    await page.locator('.status.registered').waitFor();
    await say(page, '/highlight');
    await page
      .locator('.log .system', { hasText: 'Your name and these highlight a message: deploy.' })
      .waitFor();
    bob.end();
  });

  it('writes times as the person’s locale does, the terminal client’s rule too', async () => {
    const british = await openChat('gb-reader', { locale: 'en-GB' });
    const american = await openChat('us-reader', { locale: 'en-US' });
    expect(await british.locator('.log time').first().textContent()).toMatch(/^\d\d:\d\d$/);
    expect(await american.locator('.log time').first().textContent()).toMatch(/^\d\d:\d\d\s[AP]M$/);
  });

  it('has the terminal client’s keys: Up recalls, Alt+digit switches, Esc closes; /help lists them', async () => {
    const kim = await openChat('kim');
    const box = kim.locator('.composer textarea');
    // The greeting speaks of the page's own way out, not of typing <quit>.
    await kim.locator('.log .system', { hasText: 'press Leave at the top right' }).waitFor();
    // A mistyped command is answered in the log and leaves the input empty, so the
    // next line is not typed onto its end; Up brings it back.
    await say(kim, '/nickk kimberly');
    await kim.locator('.log .system.error', { hasText: 'nickk' }).waitFor();
    expect(await box.inputValue()).toBe('');
    await say(kim, '/join #keys');
    await kim.locator('.room-title', { hasText: '#keys' }).waitFor();
    await box.press('ArrowUp');
    expect(await box.inputValue()).toBe('/join #keys');
    await box.press('ArrowUp');
    expect(await box.inputValue()).toBe('/nickk kimberly');
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    expect(await box.inputValue()).toBe('');
    // Alt+1 goes to the first conversation listed, Alt+2 to the second.
    await box.press('Alt+1');
    await kim.locator('.room-title', { hasText: '#general' }).waitFor();
    await box.press('Alt+2');
    await kim.locator('.room-title', { hasText: '#keys' }).waitFor();
    // Esc closes the room list.
    await kim.getByRole('button', { name: 'Browse rooms' }).click();
    const list = kim.getByRole('dialog', { name: 'Rooms' });
    await list.waitFor();
    await kim.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    await say(kim, '/help');
    const help = kim.locator('.log .system', { hasText: 'Keys:' });
    await help.waitFor();
    expect(await help.textContent()).toContain('Alt+1..9');
    // Its columns are laid out with spaces: drawn in a fixed-width font, they stay columns.
    const font = await help.locator('.listing').evaluate((el) => getComputedStyle(el).fontFamily);
    expect(font).toContain('monospace');
    await kim.screenshot({ path: join(shots, 'help.png') });
  });

  it('loads older history at the top, and shows a new-message indicator when scrolled up', async () => {
    const poster = await PlainClient.named(port, 'poster');
    for (let i = 1; i <= 120; i++) poster.type(`old message ${String(i).padStart(3, '0')}`);
    await poster.line('old message 120');
    const page = await openChat('scroller', { height: 500 });
    await page.locator('.log li', { hasText: 'old message 120' }).waitFor();
    expect(await page.locator('.log li', { hasText: 'old message 001' }).count()).toBe(0);
    for (
      let i = 0;
      i < 20 && (await page.locator('.log li', { hasText: 'old message 001' }).count()) === 0;
      i++
    ) {
      await page.locator('.log').evaluate((el) => (el.scrollTop = 0));
      await page.waitForTimeout(100);
    }
    await page.locator('.log li', { hasText: 'old message 001' }).waitFor();
    await page.locator('.log').evaluate((el) => (el.scrollTop = 0));
    poster.type('a new one while you read old ones');
    await page.getByRole('button', { name: /1 new message/ }).waitFor();
    await page.getByRole('button', { name: /1 new message/ }).click();
    await page.locator('.log li', { hasText: 'a new one while you read' }).waitFor();
    await poster.quit();
  });

  it('passes an accessibility scan, and looks right in light, dark and phone widths', async () => {
    const light = await openChat('lumen');
    const dark = await openChat('noctis', { dark: true });
    await say(light, 'Morning! Release notes are at https://example.com/notes');
    await say(dark, 'lumen: thanks, reading them now 👀');
    await say(light, '/me pours coffee');
    await say(dark, 'Multi-line works too:\n- first point\n- second point');
    await light.locator('.log li', { hasText: 'second point' }).waitFor();
    await dark.locator('.log li', { hasText: 'second point' }).waitFor();
    expect(await accessibilityProblems(light)).toEqual([]);
    expect(await accessibilityProblems(dark)).toEqual([]);
    await light.screenshot({ path: join(shots, 'chat-light.png') });
    await dark.screenshot({ path: join(shots, 'chat-dark.png') });
    const phone = await openChat('pocket', { width: 390, height: 780 });
    await phone.locator('.log li', { hasText: 'second point' }).waitFor();
    expect(await accessibilityProblems(phone)).toEqual([]);
    await phone.screenshot({ path: join(shots, 'chat-phone.png') });
  });

  it('has an icon, says quietly (not as an error) that the user left, and the others see a quit', async () => {
    const page = await openChat('leaver');
    const pat = await PlainClient.named(port, 'leave-watcher');
    const icon = await page
      .locator('link[rel="icon"]')
      .evaluate((l) => (l as HTMLLinkElement).href);
    const response = await fetch(icon);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    // The Leave button ran the <quit> handshake: plain text says "(quit)", not a lost link.
    await pat.line('* leaver left #general (quit)');
    await pat.quit();
    const notice = page.locator('#connect-notice');
    await expect.poll(() => notice.textContent()).toContain('You left the chat');
    expect(await page.locator('#connect-error').count()).toBe(0);
    const colour = await notice.evaluate((el) => getComputedStyle(el).color);
    const error = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--error').trim(),
    );
    // Drawn in the muted text colour, not the error red (#b3261e is rgb(179, 38, 30)).
    expect(error).toBe('#b3261e');
    expect(colour).not.toBe('rgb(179, 38, 30)');
  });

  it('runs <quit> when a page closes: the others see the leave', async () => {
    const stay = await openChat('stayer');
    const goer = await openChat('goer');
    await stay.locator('.members li', { hasText: 'goer' }).waitFor();
    await goer.close({ runBeforeUnload: true });
    await stay.locator('.log .system', { hasText: 'goer left the chat' }).waitFor();
    await expect.poll(() => stay.locator('.members li', { hasText: 'goer' }).count()).toBe(0);
  });

  it('reconnects after a server restart with a banner, and shows the missed messages once', async () => {
    const page = await openChat('keeper');
    const atPort = port;
    await server.close();
    await page
      .getByRole('alert')
      .filter({ hasText: /Reconnecting in \d+s/ })
      .waitFor();
    const store = await SqliteStore.open({ dataDir });
    for (const text of ['missed one', 'missed two', 'missed three']) {
      await store.append({
        id: `m-${text}`,
        roomKey: '#general',
        room: '#general',
        from: 'carol',
        text,
        ts: Date.now(),
        action: false,
      });
    }
    await store.close();
    await startServer(atPort);
    await page.locator('.status.registered').waitFor({ timeout: 20_000 });
    await page.locator('.log li', { hasText: 'missed three' }).waitFor();
    for (const text of ['missed one', 'missed two', 'missed three']) {
      expect(await page.locator('.log li', { hasText: text }).count(), text).toBe(1);
    }
    expect(await page.getByRole('alert').count()).toBe(0);
    // One line says the server went, one that the link is back; no greeting again.
    await page.locator('.log .system', { hasText: 'Reconnected' }).waitFor();
    const lines = await page.locator('.log .system .body').allTextContents();
    const tail = lines.slice(lines.findIndex((l) => l.includes('The server is restarting')));
    expect(tail).toEqual([
      'The server is restarting or shutting down; reconnecting…',
      'Reconnected',
    ]);
    expect(lines.filter((l) => l.startsWith('Welcome keeper'))).toHaveLength(1);
  });

  it('asks for another name when the name is taken', async () => {
    await openChat('taken');
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${pageUrl}?server=127.0.0.1:${port}&name=TAKEN&connect=1`);
    await expect
      .poll(() => page.locator('#connect-error').textContent())
      .toContain('The name TAKEN is taken');
    await page.locator('#name').fill('untaken');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.locator('.status.registered').waitFor();
  });
});
