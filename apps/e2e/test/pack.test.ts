import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainClient } from '@confab/test-kit';
import { userShell } from './user-shell.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confab-pack-'));
const packs = join(work, 'packs');
const app = join(work, 'app');

function pack(dir: string): string {
  execFileSync('pnpm', ['pack', '--pack-destination', packs], {
    cwd: join(root, dir),
    stdio: 'ignore',
    timeout: 60_000,
  });
  const name = readdirSync(packs).find((f) => f.startsWith(`confab-${dir.split('/').pop()}-`));
  if (!name) throw new Error(`no tarball for ${dir}`);
  return join(packs, name);
}

const PACKAGES = ['protocol', 'server', 'client-tui', 'client-gui'];
/** Each package's tarball, by its folder name. */
const tarball = new Map<string, string>();

/** A file of a tarball, as text. */
function fromTarball(path: string, file: string): string {
  return execFileSync('tar', ['-xzOf', path, `package/${file}`], { encoding: 'utf8' });
}

beforeAll(async () => {
  // Each package as a user would get it: a tarball, installed with npm into an empty folder.
  for (const dir of PACKAGES) tarball.set(dir, pack(`packages/${dir}`));
  const tarballs = [...tarball.values()];
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module' }),
  );
  // Asynchronous and bounded: a stalled registry fails this test, it never hangs the run.
  const install = [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=error',
    '--fetch-timeout=60000',
    '--fetch-retries=2',
  ];
  try {
    await run('npm', [...install, ...tarballs], { cwd: app, timeout: 170_000, env: userShell() });
  } catch (error) {
    const failed = error as { stderr?: string; signal?: string };
    throw new Error(`npm install failed (${failed.signal ?? 'exit'}): ${failed.stderr ?? ''}`, {
      cause: error,
    });
  }
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed tarballs', () => {
  const version = (dir: string) =>
    (
      JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;

  it.each(PACKAGES)('%s: workspace:* is rewritten to the version released with it', (dir) => {
    const manifest = JSON.parse(fromTarball(tarball.get(dir)!, 'package.json')) as Record<
      string,
      Record<string, string> | undefined
    >;
    const all = {
      ...manifest.dependencies,
      ...manifest.devDependencies,
      ...manifest.optionalDependencies,
    };
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    for (const [name, range] of Object.entries(all))
      if (name.startsWith('@confab/'))
        expect(range, name).toBe(version(name.slice('@confab/'.length)));
  });

  it.each(PACKAGES)('%s: has its README, LICENSE and CHANGELOG, and no tests or sources', (dir) => {
    const files = execFileSync('tar', ['-tzf', tarball.get(dir)!], { encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const file of ['package/README.md', 'package/LICENSE', 'package/CHANGELOG.md'])
      expect(files).toContain(file);
    expect(files.filter((f) => /^package\/(src|test)\//.test(f))).toEqual([]);
    // The native window's gjs script is committed, not built: it must ship all the same.
    if (dir === 'client-gui') expect(files).toContain('package/native/webkit-window.js');
  });

  it.each(PACKAGES)('%s: passes publint (strict) and arethetypeswrong (ESM only)', async (dir) => {
    const bin = (name: string) => join(root, 'node_modules', '.bin', name);
    const lint = await run(bin('publint'), ['run', tarball.get(dir)!, '--strict'], { cwd: root });
    expect(lint.stdout).toContain('All good!');
    // attw exits non-zero on any problem; ESM only: the packages have no CommonJS entry by design.
    await run(
      bin('attw'),
      [tarball.get(dir)!, '--profile', 'esm-only', '--format', 'table-flipped'],
      {
        cwd: root,
      },
    );
  });
});

describe('packed packages, installed alone', () => {
  it('runs the confab-gui bin, which serves the page', async () => {
    const bin = join(app, 'node_modules', '.bin', 'confab-gui');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe('0.1.0');
    const child = spawn(bin, ['--no-open'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /Confab is at (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
    });
    const page = await fetch(url);
    expect(await page.text()).toContain('app.js');
    expect((await fetch(new URL('app.js', url))).status).toBe(200);
    child.kill('SIGINT');
  });

  it('runs the confab terminal client bin', () => {
    const bin = join(app, 'node_modules', '.bin', 'confab');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe('0.1.0');
    expect(execFileSync(bin, ['--help'], { encoding: 'utf8' })).toContain(
      'Usage: confab [--host HOST]',
    );
  });

  it('imports @confab/protocol in an empty project', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { PROTOCOL_VERSION, parseInput } from '@confab/protocol'; console.log(PROTOCOL_VERSION, parseInput('/join rust').kind)",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('1 send');
  });

  it('runs the confab-server bin, which serves a chat', async () => {
    const bin = join(app, 'node_modules', '.bin', 'confab-server');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe('0.1.0');
    const child = spawn(
      bin,
      ['--port', '0', '--data-dir', join(work, 'data'), '--log-level', 'info'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /"port":(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', () => reject(new Error(out)));
    });
    const ada = await PlainClient.named(port, 'ada');
    await ada.quit();
    const reply = ada.text();
    expect(reply).toContain('Welcome ada: if you want to leave the chat, write <quit>');
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});
