import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { userShell } from './user-shell.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confab-old-node-'));

/** A module that makes the Node it is loaded into say it is Node 20. */
const pretendNode20 = join(work, 'node20.mjs');
writeFileSync(
  pretendNode20,
  [
    "Object.defineProperty(process, 'version', { value: 'v20.20.2' });",
    "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });",
  ].join('\n'),
);

/** Runs a script under this Node, as if it were Node 20. */
function underNode20(script: string, args: string[], cwd = root) {
  return spawnSync(process.execPath, ['--import', pretendNode20, script, ...args], {
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
    expect(run.stderr).toContain('this is Node 20.20.2');
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
    expect(run.stderr).toContain('this is Node 20.20.2');
    expect(run.stderr).toContain('npm install --prefix ~/.local/node24 node@24');
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toContain('"node": ">=22.13"');
  });
});
