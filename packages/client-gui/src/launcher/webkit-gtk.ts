import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one line that gives a Debian or Ubuntu system the native window. */
export const WEBKIT_GTK_INSTALL = 'sudo apt-get install gjs gir1.2-webkit2-4.1';

/** The gjs script that holds the page in a WebKitGTK window (committed, not built). */
const WINDOW_SCRIPT = fileURLToPath(new URL('../native/webkit-window.js', import.meta.url));

/** A probe must not hold the launch up when something is wrong with the system. */
const PROBE_TIMEOUT_MS = 5_000;

/** gjs: `CONFAB_GJS` when set (empty: never), else `gjs` on PATH. */
export function findGjs(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CONFAB_GJS !== undefined)
    return env.CONFAB_GJS && existsSync(env.CONFAB_GJS) ? env.CONFAB_GJS : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const path = join(dir, 'gjs');
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** A window that can open, or why there is none. */
export type WebKitGtk = { ok: true; gjs: string } | { ok: false; reason: string };

/**
 * Whether the WebKitGTK window can open: gjs is there and can load GTK 3
 * and WebKit2 4.1 (a fraction of a second, without showing anything).
 */
export function probeWebKitGtk(env: NodeJS.ProcessEnv = process.env): WebKitGtk {
  if (process.platform !== 'linux' && process.platform !== 'freebsd')
    return { ok: false, reason: 'WebKitGTK is for Linux' };
  const gjs = findGjs(env);
  if (!gjs) return { ok: false, reason: `WebKitGTK: gjs is not installed (${WEBKIT_GTK_INSTALL})` };
  const probe = spawnSync(
    gjs,
    [
      '-c',
      "imports.gi.versions.Gtk = '3.0'; imports.gi.versions.WebKit2 = '4.1'; imports.gi.Gtk; imports.gi.WebKit2;",
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' },
  );
  if (probe.status === 0) return { ok: true, gjs };
  const why = /Requiring (\w+), version ([\d.]+)/.exec(probe.stderr ?? '');
  return {
    ok: false,
    reason: why
      ? `WebKitGTK: gjs has no ${why[1]} ${why[2]} (${WEBKIT_GTK_INSTALL})`
      : `WebKitGTK: gjs cannot load it (${probe.error?.message ?? (probe.stderr ?? '').split('\n')[0]!.trim()})`,
  };
}

/**
 * Opens `url` in the WebKitGTK window. The process ends when the window
 * closes; SIGTERM or SIGINT closes it the way its close button does, the
 * page saying `<quit>` first.
 */
export function openWebKitWindow(gjs: string, url: string, icon = ''): ChildProcess {
  // A process group of its own: Ctrl-C in the terminal reaches every process
  // of the foreground group, and WebKit's web process would die of it before
  // the page could say <quit>. The launcher passes the signal on instead, and
  // the window closes itself should the launcher vanish.
  return spawn(gjs, ['-m', WINDOW_SCRIPT, url, icon, String(process.pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
}
