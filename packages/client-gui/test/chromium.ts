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
