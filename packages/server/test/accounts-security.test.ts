import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';
import { JsonClient, startServer, tempDir, testScope } from './helpers.js';

const { cleanups, serve } = testScope({ store: 'memory' });

async function json(port: number): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  return client;
}

/** One `hello`, its answer (`welcome` or `error`), and how long the answer took (ms). */
async function attempt(client: JsonClient, frame: Record<string, unknown>) {
  const started = performance.now();
  client.send({ type: 'hello', version: 1, ...frame });
  const answer = await client.inbox.take(
    (f) => f.type === 'welcome' || f.type === 'error',
    'welcome or error',
    10_000,
  );
  return { answer, ms: performance.now() - started };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('account security', () => {
  it('cannot be impersonated: not as a guest, not with a wrong password, not with another’s token', async () => {
    const port = await serve({ passwordCost: 10 });
    const owner = await json(port);
    const made = await attempt(owner, { name: 'ada', password: 'correct horse', register: true });
    expect(made.answer).toMatchObject({ type: 'welcome', account: 'ada' });
    const mallory = await json(port);
    for (const frame of [
      { name: 'ada' },
      { name: 'ADA' },
      { name: 'ada', password: 'correct horse ' },
      { name: 'ada', password: 'Correct horse' },
      { name: 'ada', token: 'x'.repeat(43) },
    ]) {
      const { answer } = await attempt(mallory, frame);
      expect(answer.type, JSON.stringify(frame)).toBe('error');
    }
  });

  it('throttles guessing: 10 attempts on a name, then one every 6 s (measured)', async () => {
    // The address's limit out of the way: this is the name's.
    const port = await serve({ passwordCost: 10, loginRate: 1_000 });
    const owner = await json(port);
    await attempt(owner, { name: 'ada', password: 'correct horse', register: true });
    const guesser = await json(port);
    const started = performance.now();
    let allowed = 0;
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const { answer } = await attempt(guesser, { name: 'ada', password: `guess ${i}` });
      if (answer.type === 'error' && answer.code === 'rate_limited') refused++;
      else allowed++;
    }
    const seconds = (performance.now() - started) / 1000;
    // The registration spent one of the name's 10; the guesser gets the other 9 (and one
    // more if the loop took over 6 s), then nothing but `rate_limited`.
    expect(allowed).toBeLessThanOrEqual(9 + Math.floor(seconds / 6));
    expect(refused).toBeGreaterThanOrEqual(40 - 9 - Math.floor(seconds / 6));
    // The sustained rate is measured in throttle.test.ts, on the same throttles in simulated time.
    console.log(
      `throttle: ${allowed} of 40 guesses at once allowed (in ${seconds.toFixed(2)} s), ${refused} refused`,
    );
  });

  it('throttles attempts from one address across names (--login-rate)', async () => {
    const port = await serve({ passwordCost: 10, loginRate: 2 });
    const guesser = await json(port);
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      const { answer } = await attempt(guesser, { name: `user${i}`, password: 'guess guess' });
      if (answer.type === 'error' && answer.code === 'rate_limited') refused++;
    }
    // A burst of 6 (3 x 2 a second), then 2 a second.
    expect(refused).toBeGreaterThanOrEqual(3);
  });

  it('answers a wrong name as slowly as a wrong password: the time tells nothing', async () => {
    // One connection makes all 18 attempts before any hello succeeds: on a busy
    // machine the hashes take longer than the default 10 s to send a good hello.
    const port = await serve({ passwordCost: 14, loginRate: 0, handshakeTimeout: 60_000 });
    const owner = await json(port);
    await attempt(owner, { name: 'ada', password: 'correct horse', register: true });
    const wrongName: number[] = [];
    const wrongPassword: number[] = [];
    const client = await json(port);
    // Both kinds in pairs, so a burst of load on the machine falls on both of a pair;
    // the first pair warms up.
    for (let i = 0; i < 9; i++) {
      const a = await attempt(client, { name: `nobody${i}`, password: 'guess guess' });
      const b = await attempt(client, { name: i % 2 ? 'ada' : 'ADA', password: `guess ${i}` });
      expect(a.answer).toMatchObject({ code: 'auth_failed' });
      expect(b.answer).toMatchObject({ code: expect.stringMatching(/auth_failed|rate_limited/) });
      if (i === 0 || b.answer.type !== 'error' || b.answer.code !== 'auth_failed') continue;
      wrongName.push(a.ms);
      wrongPassword.push(b.ms);
    }
    const ratio = median(wrongName.map((ms, i) => ms / wrongPassword[i]!));
    console.log(
      `timing: wrong name ${median(wrongName).toFixed(1)} ms, wrong password ${median(wrongPassword).toFixed(1)} ms (median), ratio ${ratio.toFixed(2)} (median of ${wrongName.length} pairs)`,
    );
    // Without the decoy hash a wrong name answers in well under a millisecond, against
    // tens for a hash: a ratio near 0.01. On a quiet machine it is 1.00 ± 0.05; the
    // bounds leave room for a machine busy with other tests.
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  }, 60_000);

  it('hashes a password again at the server’s cost when its owner logs in with it', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const storedHash = async () => {
      const store = await SqliteStore.open({ dataDir: dir.path });
      const account = await store.accounts.byName('ada');
      await store.close();
      return account!.passwordHash;
    };
    const start = (passwordCost: number) =>
      startServer({ store: 'sqlite', dataDir: dir.path, passwordCost });
    const before = await start(10);
    const made = await attempt(await json(before.port), {
      name: 'ada',
      password: 'correct horse',
      register: true,
    });
    expect(made.answer).toMatchObject({ type: 'welcome', account: 'ada' });
    await before.server.close();
    expect(await storedHash()).toMatch(/^scrypt\$10\$8\$1\$/);
    // The server's cost is raised: a wrong password changes nothing, the right one is hashed again.
    const after = await start(11);
    const wrong = await attempt(await json(after.port), { name: 'ada', password: 'wrong horse' });
    expect(wrong.answer).toMatchObject({ code: 'auth_failed' });
    const right = await attempt(await json(after.port), { name: 'ada', password: 'correct horse' });
    expect(right.answer).toMatchObject({ type: 'welcome', account: 'ada' });
    const again = await attempt(await json(after.port), { name: 'ada', password: 'correct horse' });
    expect(again.answer).toMatchObject({ type: 'welcome', account: 'ada' });
    await after.server.close();
    expect(await storedHash()).toMatch(/^scrypt\$11\$8\$1\$/);
  });

  it('never writes a password or a token to the log', async () => {
    let log = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log += String(chunk);
        done();
      },
    });
    const port = await serve({ passwordCost: 10, logger: pino({ level: 'trace' }, sink) });
    const ada = await json(port);
    const made = await attempt(ada, {
      name: 'ada',
      password: 'hunter2hunter2',
      register: true,
      client: 'test/1',
    });
    const token = (made.answer as { token: string }).token;
    ada.send({ type: 'password', current: 'hunter2hunter2', password: 'swordfish42' });
    await ada.next('account');
    const again = await json(port);
    await attempt(again, { name: 'ada', token });
    await attempt(again, { name: 'ada', password: 'wrong but logged? no' });
    expect(log).toContain('registered');
    for (const secret of ['hunter2hunter2', 'swordfish42', token, 'wrong but logged'])
      expect(log).not.toContain(secret);
  });
});
