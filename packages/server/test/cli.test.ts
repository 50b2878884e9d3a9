import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import { CLI as cli, JsonClient, spawnServer } from './helpers.js';
const run = promisify(execFile);

async function fails(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error('expected the command to fail');
}

describe('confab-server', () => {
  it('prints help with every option and its environment variable', async () => {
    const { stdout } = await run(process.execPath, [cli, '--help']);
    const lines = stdout.split('\n');
    // Each setting of the table: its flag at the start of a line, its variable on the line after.
    for (const setting of SETTINGS) {
      const at = lines.findIndex(
        (line) =>
          line.trimStart().startsWith(`--${setting.flag} `) || line.trim() === `--${setting.flag}`,
      );
      expect(at, `--${setting.flag}`).toBeGreaterThanOrEqual(0);
      expect(lines[at + 1], setting.env).toContain(`env ${setting.env}`);
    }
    for (const flag of ['--help', '--version']) expect(stdout).toContain(flag);
  });

  it('prints its version', async () => {
    expect((await run(process.execPath, [cli, '--version'])).stdout.trim()).toBe('0.1.0');
  });

  it('explains bad flags and values in one line, exit code 2', async () => {
    // Seven servers that refuse to start, started at once: one after another
    // they take longer than a test may on a busy machine. Even at once, seven
    // Node processes starting on a loaded two-core machine may take 30 s:
    // this test has a minute.
    const [unknown, bad, store, tls, workers, redis, page] = await Promise.all([
      fails(['--prot', '7420']),
      fails(['--port', 'seven']),
      fails([], { CONFAB_STORE: 'floppy' }),
      fails(['--tls-cert', '/nonexistent']),
      fails(['--workers', '2']),
      fails(['--redis', 'localhost:6379']),
      fails(['--web-page', '/nonexistent', '--store', 'memory', '--port', '0']),
    ]);
    // Each refusal is one line, with exit code 2.
    for (const [what, refused] of Object.entries({
      unknown,
      bad,
      store,
      tls,
      workers,
      redis,
      page,
    })) {
      expect(refused.code, what).toBe(2);
      expect(refused.stderr.trim().split('\n'), what).toHaveLength(1);
    }
    expect(unknown.stderr).toContain("'--prot'");
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port must be a whole number'),
    });
    expect(store.stderr).toContain('CONFAB_STORE must be one of sqlite, memory');
    expect(tls.stderr).toContain('--tls-cert and --tls-key go together');
    expect(workers).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--workers needs --redis'),
    });
    expect(redis.stderr).toContain('--redis must be a URL like redis://');
    expect(page).toMatchObject({
      code: 2,
      stderr: 'confab-server: --web-page: no built page (index.html) in /nonexistent\n',
    });
  }, 60_000);

  it('says so in one line when the port is taken, exit code 1', async () => {
    const holder = spawn(process.execPath, [
      '-e',
      "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
    ]);
    const port = await new Promise<string>((resolve) =>
      holder.stdout.once('data', (d) => resolve(String(d).trim())),
    );
    const taken = await fails(['--port', port, '--store', 'memory']);
    holder.kill();
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^confab-server: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it('takes settings after a literal -- (pnpm start -- --port N) and from CONFAB_* variables', async () => {
    const { child, ports } = await spawnServer(['--', '--port', '0', '--store', 'memory'], {
      env: { CONFAB_LOG_LEVEL: 'info', CONFAB_MAX_TEXT_BYTES: '10' },
    });
    const port = ports[0]!;
    const c = await JsonClient.connect(port);
    await c.register('ada');
    c.send({ type: 'say', room: '#general', text: 'eleven byte', ref: 'x' });
    expect(await c.next('error')).toMatchObject({ code: 'text_too_long' });
    c.end();
    child.kill('SIGINT');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});
