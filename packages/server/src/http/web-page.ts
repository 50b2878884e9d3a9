import { createHash } from 'node:crypto';
import { PAGE_FILE_TYPES, pageHeaders } from '@confab/protocol';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built page is some 100 KB; a folder far larger is not it. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** One file of the page, read once at start. */
interface PageFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** What the page's answer to a request is: a file with its headers, or "not modified". */
export type PageAnswer =
  | { status: 200; headers: Record<string, string>; body: Buffer }
  | { status: 304; headers: Record<string, string> };

/**
 * The chat page, served from the chat port: the built files of
 * `@confab/client-gui`, read into memory once when the server starts (a
 * request costs no disk read, and only files that were there at start can be
 * asked for). Every answer says `no-cache` with an ETag: the files' names do
 * not change between versions, so a browser asks again and gets a 304 when
 * nothing did.
 */
export class WebPage {
  private constructor(
    private readonly files: ReadonlyMap<string, PageFile>,
    /** Where the files were read from (for the log). */
    readonly dir: string,
  ) {}

  /** Reads the built page in `dir`; undefined when there is none. */
  static read(dir: string): WebPage | undefined {
    if (!existsSync(join(dir, 'index.html'))) return undefined;
    const files = new Map<string, PageFile>();
    let total = 0;
    for (const name of readdirSync(dir)) {
      const type = PAGE_FILE_TYPES[extname(name)];
      const path = join(dir, name);
      if (!type || !statSync(path).isFile()) continue;
      const body = readFileSync(path);
      total += body.length;
      if (total > MAX_PAGE_BYTES) return undefined;
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(`/${name}`, { body, type, etag });
    }
    return new WebPage(files, dir);
  }

  /** The answer for a path (`/` is the page itself), or undefined when it is not the page's. */
  answer(path: string, ifNoneMatch: string | undefined): PageAnswer | undefined {
    const file = this.files.get(path === '/' ? '/index.html' : path);
    if (!file) return undefined;
    const headers = { ...pageHeaders(file.type), ETag: file.etag };
    if (ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(file.etag))
      return { status: 304, headers };
    return { status: 200, headers, body: file.body };
  }
}

/**
 * Where the built page is: `setting` when it names a folder; for `auto`,
 * the installed `@confab/client-gui` (beside this package, as npm and pnpm
 * install them), else the one in this repository's workspace. Undefined
 * when there is none or the setting is `off`.
 */
export function findWebPage(setting: string): WebPage | undefined {
  if (setting === 'off') return undefined;
  if (setting !== 'auto') return WebPage.read(setting);
  const candidates: string[] = [];
  try {
    const manifest = createRequire(import.meta.url).resolve('@confab/client-gui/package.json');
    candidates.push(join(dirname(manifest), 'dist', 'page'));
  } catch {
    // Not installed beside the server.
  }
  // In the workspace: packages/server → packages/client-gui/dist/page.
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)));
  if (root) candidates.push(join(root, '..', 'client-gui', 'dist', 'page'));
  for (const dir of candidates) {
    const page = WebPage.read(dir);
    if (page) return page;
  }
  return undefined;
}

/** The nearest folder up from `dir` that holds a package.json: this package's own. */
function packageRoot(dir: string): string | undefined {
  for (let at = dir, depth = 0; depth < 6; at = dirname(at), depth++)
    if (existsSync(join(at, 'package.json'))) return at;
  return undefined;
}
