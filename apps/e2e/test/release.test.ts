import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userShell } from './user-shell.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confab-release-'));
const clone = join(work, 'confab');
const PACKAGES = ['protocol', 'server', 'client-tui', 'client-gui'];

interface Published {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  /** Files of the tarball: path (without `package/`) to contents. */
  files: Map<string, string>;
}

/** The files of a (gzipped) npm tarball. */
function untar(gzipped: Buffer): Map<string, string> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, string>();
  for (let at = 0; at + 512 <= tar.length;) {
    const name = tar.toString('utf8', at, at + 100).replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(tar.toString('utf8', at + 124, at + 136).replace(/\0.*$/s, ''), 8);
    files.set(name.replace(/^package\//, ''), tar.toString('utf8', at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * A package registry on 127.0.0.1 that knows nothing and keeps what is
 * published to it: enough of the npm registry's API for `changeset publish`
 * (a GET per package, answered 404 until published; a PUT to publish).
 */
function startRegistry(): Promise<{ url: string; published: Published[]; close: () => void }> {
  const published: Published[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = decodeURIComponent((request.url ?? '/').split('?')[0]!.slice(1));
      if (request.method === 'PUT') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          versions: Record<string, Record<string, unknown>>;
          _attachments: Record<string, { data: string }>;
        };
        const [version, manifest] = Object.entries(body.versions)[0]!;
        const attachment = Object.values(body._attachments)[0]!;
        const files = untar(Buffer.from(attachment.data, 'base64'));
        published.push({ name, version, manifest, files });
        response.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, published, close: () => server.close() });
    }),
  );
}

let registry: Awaited<ReturnType<typeof startRegistry>>;
let output = '';

beforeAll(async () => {
  registry = await startRegistry();
  // The repository as committed, its dependencies from the store, and the
  // packages as built here (the release builds first; so did this run).
  execFileSync('git', ['clone', '--quiet', root, clone]);
  const env = { ...userShell(), CI: 'true' };
  await run('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: clone, env });
  for (const dir of PACKAGES)
    cpSync(join(root, 'packages', dir, 'dist'), join(clone, 'packages', dir, 'dist'), {
      recursive: true,
    });
  // A change to the protocol, as `pnpm changeset` would write it.
  writeFileSync(
    join(clone, '.changeset', 'protocol-says-more.md'),
    "---\n'@confab/protocol': patch\n---\n\nThe protocol says more.\n",
  );
  await run('pnpm', ['exec', 'changeset', 'version'], { cwd: clone, env });
  const npmrc = join(work, 'npmrc');
  writeFileSync(npmrc, `${registry.url.replace(/^http:/, '')}:_authToken=confab-test\n`);
  const published = await run('pnpm', ['exec', 'changeset', 'publish'], {
    cwd: clone,
    env: { ...env, npm_config_registry: registry.url, NPM_CONFIG_USERCONFIG: npmrc },
    timeout: 170_000,
  });
  output = published.stdout + published.stderr;
}, 180_000);

afterAll(() => {
  registry?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the release flow (changesets)', () => {
  it('versions the changed package and the packages that depend on it, each with its CHANGELOG', () => {
    const version = (dir: string) =>
      (
        JSON.parse(readFileSync(join(clone, 'packages', dir, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    expect(version('protocol')).toBe('0.1.1');
    expect(version('server')).toBe('0.1.1');
    expect(version('client-tui')).toBe('0.1.1');
    const changelog = readFileSync(join(clone, 'packages', 'protocol', 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/## 0\.1\.1\s+### Patch Changes\s+- The protocol says more\./);
    expect(readFileSync(join(clone, 'packages', 'server', 'CHANGELOG.md'), 'utf8')).toContain(
      '@confab/protocol@0.1.1',
    );
  });

  it('publishes the packages one by one, each before those that depend on it', () => {
    const order = registry.published.map((p) => p.name);
    expect([...order].sort()).toEqual(PACKAGES.map((dir) => `@confab/${dir}`).sort());
    expect(order.indexOf('@confab/protocol')).toBeLessThan(order.indexOf('@confab/server'));
    expect(order.indexOf('@confab/protocol')).toBeLessThan(order.indexOf('@confab/client-tui'));
    expect(output).toContain('Successfully published');
  });

  it('publishes tarballs whose workspace:* became the released versions', () => {
    for (const { name, version, manifest, files } of registry.published) {
      expect(JSON.stringify(manifest), name).not.toContain('workspace:');
      const inside = JSON.parse(files.get('package.json')!) as {
        version: string;
        dependencies?: Record<string, string>;
      };
      expect(inside.version).toBe(version);
      expect(files.get('package.json')).not.toContain('workspace:');
      if (name === '@confab/server' || name === '@confab/client-tui')
        expect(inside.dependencies?.['@confab/protocol']).toBe('0.1.1');
      expect(files.has('CHANGELOG.md'), name).toBe(true);
    }
    const protocol = registry.published.find((p) => p.name === '@confab/protocol')!;
    expect(protocol.files.get('CHANGELOG.md')).toContain('The protocol says more.');
  });
});
