import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const CHROMIUM_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome',
  'microsoft-edge',
];
const MAC_APPS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** An installed Chromium or Chrome: `CONFAB_CHROMIUM`, then the usual names on PATH, then the usual app folders. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CONFAB_CHROMIUM) return existsSync(env.CONFAB_CHROMIUM) ? env.CONFAB_CHROMIUM : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of CHROMIUM_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return MAC_APPS.find((path) => existsSync(path));
}

/** Where the app window keeps its own profile (so it is its own window, not a tab of the user's browser). */
export function profileDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  const dir = join(base, 'confab-gui', 'chromium-profile');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens `url` as a Chromium app window (no tabs, no address bar). The process ends when the window closes. */
export function openAppWindow(chromium: string, url: string, profile: string): ChildProcess {
  const args = [
    `--app=${url}`,
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--window-size=1100,760',
  ];
  // Chromium will not start its sandbox as root. It then warns of the flag
  // in a bar across the window, which --test-type leaves out.
  if (process.getuid?.() === 0) args.push('--no-sandbox', '--test-type');
  return spawn(chromium, args, { stdio: 'ignore' });
}

/** Opens `url` in the default browser; false when there is no way to. */
export function openDefaultBrowser(url: string): boolean {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
