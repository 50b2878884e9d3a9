import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import { lookalikeKey } from '../src/names/lookalikes.js';
import { mixedScripts } from '../src/names/scripts.js';
import { JsonClient, startServer, testScope } from './helpers.js';

const { cleanups } = testScope();

/** Names that were registered as separate accounts beside `adminkl9`, and why each is refused now. */
const LOOKALIKES: Array<[string, string, 'name_invalid' | 'name_taken']> = [
  ['Cyrillic a', '\u0430dminkl9', 'name_invalid'],
  ['Greek alpha', '\u03b1dminkl9', 'name_invalid'],
  ['full-width', 'ａｄｍｉｎｋｌ９', 'name_taken'],
  ['mathematical bold', '𝐚𝐝𝐦𝐢𝐧𝐤𝐥𝟗', 'name_taken'],
  ['a combining accent', 'admi\u0301nkl9', 'name_taken'],
  ['capital I for l', 'adminkI9', 'name_taken'],
  ['a Hangul filler', 'adminkl9\u3164', 'name_invalid'],
  ['a blank Braille pattern', 'adminkl9\u2800', 'name_invalid'],
];

async function hello(port: number, name: string, extra: Record<string, unknown> = {}) {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  client.send({ type: 'hello', version: 1, name, ...extra });
  const answer = (await client.inbox.take(
    (f) => f.type === 'welcome' || f.type === 'error',
    'welcome or error',
  )) as Extract<ServerFrame, { type: 'welcome' | 'error' }>;
  return { client, answer };
}

describe('look-alike names', () => {
  it('have the same look-alike key, or mix scripts', () => {
    for (const [what, name, code] of LOOKALIKES) {
      if (code === 'name_invalid' && /[\u3164\u2800]/.test(name)) continue;
      const alike = lookalikeKey(name) === lookalikeKey('adminkl9');
      const mixed = mixedScripts(name) !== undefined;
      expect(alike || mixed, what).toBe(true);
    }
    // Names in one script, or in Latin with Japanese, are fine; Latin with Cyrillic is not.
    for (const fine of ['Σοφία', 'русский', '李小龍', 'ひらがなabc', 'नमस्ते', 'Zoë'])
      expect(mixedScripts(fine), fine).toBeUndefined();
    expect(mixedScripts('paypаl')).toBeDefined();
    expect(lookalikeKey('paypal')).not.toBe(lookalikeKey('paypa1x'));
  });

  it('are refused as guests and as new accounts beside the account they look like', async () => {
    const { server, port } = await startServer({ passwordCost: 10 });
    cleanups.push(() => server.close());
    const owner = await hello(port, 'adminkl9', { password: 'a long password', register: true });
    expect(owner.answer).toMatchObject({ type: 'welcome', account: 'adminkl9' });
    for (const [what, name, code] of LOOKALIKES) {
      const guest = await hello(port, name);
      expect(guest.answer, `${what} as a guest`).toMatchObject({ type: 'error', code });
      const account = await hello(port, name, { password: 'a long password', register: true });
      expect(account.answer, `${what} as an account`).toMatchObject({ type: 'error', code });
    }
    // The owner is not kept out by any of it.
    await owner.client.quit();
    const back = await hello(port, 'adminkl9', { password: 'a long password' });
    expect(back.answer).toMatchObject({ type: 'welcome', account: 'adminkl9' });
  });

  it('are refused beside a guest who is here, by hello, nick and register, and free once they leave', async () => {
    const { server, port } = await startServer({ passwordCost: 10 });
    cleanups.push(() => server.close());
    const bobby = await hello(port, 'bobby7');
    expect(bobby.answer.type).toBe('welcome');
    // A zero for the o: another name, but the same look.
    expect((await hello(port, 'B0bby7')).answer).toMatchObject({ code: 'name_taken' });
    expect(
      (await hello(port, 'B0bby7', { password: 'a long password', register: true })).answer,
    ).toMatchObject({ code: 'name_taken' });
    const carol = await hello(port, 'carol');
    carol.client.inbox.drain();
    carol.client.send({ type: 'nick', name: 'b0bby7' });
    expect(await carol.client.next('error')).toMatchObject({ code: 'name_taken' });
    carol.client.send({ type: 'nick', name: 'b\u043ebby7' });
    expect(await carol.client.next('error')).toMatchObject({ code: 'name_invalid' });
    await bobby.client.quit();
    expect((await hello(port, 'B0bby7')).answer.type).toBe('welcome');
  });
});
