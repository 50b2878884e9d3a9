import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** At most this many app windows side by side, each with its own profile. */
const MAX_PROFILES = 20;
/** The file by which a confab-gui holds a profile while its window is open. */
const HOLDER_FILE = 'confab-gui.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process is there, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes a profile for this process unless a live confab-gui holds it: the
 * holder file is created exclusively, so two launches at the same moment
 * cannot both take it. A holder that died leaves a file that is taken over.
 */
function holdProfile(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  const holder = join(dir, HOLDER_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(holder, String(process.pid), { flag: 'wx' });
      process.once('exit', () => rmSync(holder, { force: true }));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(readFileSync(holder, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) return false;
    rmSync(holder, { force: true });
  }
  return false;
}

/**
 * Where the app window keeps its own profile (so it is its own window, not a
 * tab of the user's browser), held for this launch. Two Chromiums given one
 * profile make one window: the second hands its page to the first and exits,
 * which would leave the second confab-gui with a dead window. So each launch
 * takes the first profile no other running confab-gui holds.
 */
export function profileDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'confab-gui');
  for (let n = 1; n <= MAX_PROFILES; n++) {
    const dir = join(base, n === 1 ? 'chromium-profile' : `chromium-profile-${n}`);
    if (holdProfile(dir)) return dir;
  }
  throw new Error(`${MAX_PROFILES} Confab windows are open already`);
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
