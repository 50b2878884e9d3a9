#!/usr/bin/env node
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { USAGE, pageAddress, parseGuiArgs } from './args.js';
import { findChromium, openAppWindow, openDefaultBrowser, profileDir } from './launcher/browser.js';
import { WEBVIEW_MODULE, tryWebview } from './launcher/webview.js';
import { openWebKitWindow, probeWebKitGtk } from './launcher/webkit-gtk.js';
import { VERSION } from './version.js';

/** How long a window may take over its <quit> handshake when asked to close. */
const WINDOW_CLOSE_MS = 5_000;
/** The window's icon: the page's own. */
const ICON = fileURLToPath(new URL('./page/favicon.svg', import.meta.url));

/** Resolves when `child` has exited, or after `ms` at the latest. */
function exited(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function notice(line: string): void {
  process.stderr.write(`confab-gui: ${line}\n`);
}

/** Serves the built page from a worker thread; resolves with its address. */
function startPageWorker(port: number): Promise<{ url: string; worker: Worker }> {
  const root = fileURLToPath(new URL('./page/', import.meta.url));
  const worker = new Worker(new URL('./page-worker.js', import.meta.url), {
    workerData: { root, port },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: { url?: string; error?: string }) => {
      if (message.url) resolve({ url: message.url, worker });
      else reject(new Error(message.error ?? 'the page server did not start'));
    });
    worker.once('error', reject);
  });
}

/** Whether a window can be shown (on Linux: an X or Wayland display). */
function hasDisplay(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'freebsd') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

async function main(): Promise<void> {
  const parsed = parseGuiArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') return say(USAGE);
  if (parsed.kind === 'version') return say(VERSION);
  if (parsed.kind === 'error') {
    notice(parsed.message);
    process.exit(2);
  }
  const args = parsed.args;
  let page: { url: string; worker: Worker };
  try {
    page = await startPageWorker(args.port);
  } catch (error) {
    notice(`cannot serve the page: ${(error as Error).message}`);
    process.exit(1);
  }
  const url = pageAddress(page.url, args);
  let window: ChildProcess | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Closing the window runs the page's <quit> handshake before it goes.
    if (window && window.exitCode === null && window.signalCode === null) {
      window.kill('SIGTERM');
      await exited(window, WINDOW_CLOSE_MS);
    }
    await page.worker.terminate();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  say(`Confab is at ${url}`);

  if (!args.open) return say('Open it in a browser; Ctrl-C stops serving it.');
  if (!hasDisplay())
    return say('No display here: open the address in a browser; Ctrl-C stops serving it.');

  const shown = (opened: ChildProcess) => {
    window = opened;
    opened.once('exit', () => void stop());
  };
  const reasons: string[] = [];
  const webkit = probeWebKitGtk();
  if (webkit.ok) {
    const opened = openWebKitWindow(webkit.gjs, url, ICON);
    let errors = '';
    opened.stderr?.on('data', (chunk: Buffer) => {
      if (errors.length < 4_000) errors += chunk;
    });
    opened.once('error', (error) => notice(`the WebKitGTK window did not start: ${error.message}`));
    opened.once('exit', (code) => {
      if (code !== 0 && !stopping && errors.trim())
        notice(`the window ended: ${errors.trim().split('\n')[0]}`);
    });
    return shown(opened);
  }
  if (process.platform === 'linux' || process.platform === 'freebsd') reasons.push(webkit.reason);

  const webview = await tryWebview(url, process.env.CONFAB_WEBVIEW_MODULE || WEBVIEW_MODULE);
  if (webview.ok) {
    webview.run();
    return stop();
  }
  reasons.push(webview.reason);
  const chromium = findChromium();
  let profile: string | undefined;
  try {
    profile = chromium && profileDir();
  } catch (error) {
    reasons.push((error as Error).message);
  }
  if (chromium && profile) {
    notice(`no native window (${reasons.join('; ')}); opening a Chromium app window`);
    const opened = openAppWindow(chromium, url, profile);
    opened.once('error', (error) => {
      window = undefined;
      notice(`Chromium did not start (${error.message}); opening the default browser`);
      openDefaultBrowser(url);
    });
    return shown(opened);
  }
  notice(`no native window (${reasons.join('; ')}) and no Chromium; opening the default browser`);
  if (!openDefaultBrowser(url)) say('Open the address in a browser; Ctrl-C stops serving it.');
}

void main();
