import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userShell } from './user-shell.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confab-old-node-'));

/**
 * A real Node 20, from the npm registry's `node` package (as the README's
 * recipe gets Node 24), kept between runs: a bin that could not even be
 * parsed or loaded by Node 20 before its version check would fail here, as
 * it would for a user.
 */
const node20Home = join(tmpdir(), 'confab-test-node20');
const node20 = join(node20Home, 'node_modules', 'node', 'bin', 'node');

beforeAll(() => {
  if (!existsSync(node20))
    execFileSync('npm', ['install', '--prefix', node20Home, 'node@20', '--no-audit', '--no-fund'], {
      env: userShell(),
      stdio: 'ignore',
      timeout: 170_000,
    });
  expect(execFileSync(node20, ['--version'], { encoding: 'utf8' })).toMatch(/^v20\./);
}, 180_000);

/** Runs a script under the real Node 20. */
function underNode20(script: string, args: string[], cwd = root) {
  return spawnSync(node20, [script, ...args], {
    cwd,
    env: userShell(),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('on a Node older than 22.13', () => {
  it.each([
    ['packages/server/bin/confab-server.js', 'confab-server'],
    ['packages/client-tui/bin/confab.js', 'confab'],
    ['packages/client-gui/bin/confab-gui.js', 'confab-gui'],
  ])('%s stops at once, naming the version needed and how to get it', (bin, name) => {
    const run = underNode20(join(root, bin), ['--version']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${name}: Confab needs Node.js 22.13 or later`);
    expect(run.stderr).toMatch(/this is Node 20\.\d+\.\d+/);
    expect(run.stderr).toContain('npm install --prefix ~/.local/node24 node@24');
  });

  it('pnpm install refuses to start, rather than installing what cannot run, and says what to do', () => {
    // The repository's root manifest and settings, in a folder of their own.
    const project = join(work, 'project');
    execFileSync('mkdir', ['-p', project]);
    for (const file of ['package.json', '.npmrc', '.pnpmfile.cjs'])
      copyFileSync(join(root, file), join(project, file));
    const pnpm = execFileSync('which', ['pnpm'], { encoding: 'utf8' }).trim();
    const run = underNode20(pnpm, ['install', '--offline'], project);
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('ERR_PNPM_UNSUPPORTED_ENGINE');
    expect(run.stderr).toContain('Confab needs Node.js 22.13 or later');
    expect(run.stderr).toMatch(/this is Node 20\.\d+\.\d+/);
    expect(run.stderr).toContain('npm install --prefix ~/.local/node24 node@24');
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toContain('"node": ">=22.13"');
  });
});
