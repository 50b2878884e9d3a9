#!/usr/bin/env node
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { USAGE, pageAddress, parseGuiArgs } from './args.js';
import { findChromium, openAppWindow, openDefaultBrowser, profileDir } from './launcher/browser.js';
import { WEBVIEW_MODULE, tryWebview } from './launcher/webview.js';
import { VERSION } from './version.js';

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
  const stop = () => {
    // Closing the app window runs the page's <quit> handshake before it goes.
    if (window && window.exitCode === null) window.kill('SIGTERM');
    void page.worker.terminate();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  say(`Confab is at ${url}`);

  if (!args.open) return say('Open it in a browser; Ctrl-C stops serving it.');
  if (!hasDisplay())
    return say('No display here: open the address in a browser; Ctrl-C stops serving it.');

  const webview = await tryWebview(url, process.env.CONFAB_WEBVIEW_MODULE || WEBVIEW_MODULE);
  if (webview.ok) {
    webview.run();
    return stop();
  }
  const chromium = findChromium();
  if (chromium) {
    notice(`no native webview (${webview.reason}); opening a Chromium app window`);
    window = openAppWindow(chromium, url, profileDir());
    window.once('error', (error) => {
      window = undefined;
      notice(`Chromium did not start (${error.message}); opening the default browser`);
      openDefaultBrowser(url);
    });
    window.once('exit', stop);
    return;
  }
  notice(`no native webview (${webview.reason}) and no Chromium; opening the default browser`);
  if (!openDefaultBrowser(url)) say('Open the address in a browser; Ctrl-C stops serving it.');
}

void main();
