import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['protocol', 'server', 'client-tui', 'client-gui'];

interface Manifest {
  name: string;
  bin?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

const tracked = new Set(
  execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n'),
);

describe('package manifests', () => {
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
