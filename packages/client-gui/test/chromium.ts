import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Chromium, driven by playwright-core (which downloads no browser of its own). */
export const CHROMIUM_PATH = process.env.CONFAB_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet headless Chromium on a machine with no network but loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/**
 * Where tests save the screenshots they take: `CONFAB_SCREENSHOTS` when set
 * (`CONFAB_SCREENSHOTS=$PWD/screenshots` refreshes the committed ones), else
 * a folder under the system's temporary folder, so a test run never changes
 * the working tree.
 */
export function screenshotDir(): string {
  const dir = process.env.CONFAB_SCREENSHOTS || join(tmpdir(), 'confab-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
