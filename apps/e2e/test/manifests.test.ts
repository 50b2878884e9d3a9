import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['protocol', 'server', 'client-tui', 'client-gui'];

interface Manifest {
  name: string;
  version: string;
  bin?: Record<string, string>;
  files?: string[];
  author?: string;
  homepage?: string;
  keywords?: string[];
  engines?: { node?: string };
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string };
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

const tracked = new Set(
  execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n'),
);

const REPOSITORY = 'https://github.com/confab-chat/confab';

describe('package manifests', () => {
  it.each(PACKAGES)('%s: says all a registry page and an installer need', (dir) => {
    const m = manifest(dir);
    expect(m.publishConfig).toEqual({ access: 'public' });
    expect(m.repository).toEqual({
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: `packages/${dir}`,
    });
    expect(m.homepage).toBe(`${REPOSITORY}/tree/main/packages/${dir}#readme`);
    expect(m.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    expect(m.author).toBeTruthy();
    expect(m.keywords?.length).toBeGreaterThan(0);
    expect(m.engines).toEqual({ node: '>=22.13' });
    expect(m.files).toContain('CHANGELOG.md');
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md'])
      expect(tracked.has(`packages/${dir}/${file}`), file).toBe(true);
  });

  it.each(PACKAGES)(
    '%s: README links work on the registry page (absolute, or to a heading)',
    (dir) => {
      const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
      const targets = [...readme.matchAll(/\]\(([^)\s]+)[^)]*\)|^\[[^\]]+\]:\s*(\S+)/gm)].map(
        (m) => m[1] ?? m[2]!,
      );
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(target).toMatch(/^(https:\/\/|#)/);
    },
  );

  it.each(PACKAGES)(
    '%s: every bin is a file in the repository, so pnpm can link it before a build',
    (dir) => {
      for (const [name, target] of Object.entries(manifest(dir).bin ?? {})) {
        const path = join('packages', dir, target).replace(/\\/g, '/');
        expect(tracked.has(path), `${name} -> ${path}`).toBe(true);
      }
    },
  );
});

describe('the working tree', () => {
  it('ignores the folders the README has a reader make (server data, the cluster recipe’s Redis data)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('mkdir -p redis-data');
    for (const path of ['redis-data/appendonly.aof', 'confab-data/confab.db']) {
      // git check-ignore exits 0 when the path is ignored, 1 when it is not.
      expect(
        () => execFileSync('git', ['check-ignore', '-q', path], { cwd: root }),
        path,
      ).not.toThrow();
    }
  });
});
