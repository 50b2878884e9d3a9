import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, waitFor } from '@confab/test-kit';
import { CHROMIUM_PATH, screenshotDir } from './chromium.js';
import { X11 } from './x11.js';
import { colourCount, firstRow, readXwd, toPng } from './xwd.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confab-gui-launcher-'));
const shots = screenshotDir();
let xvfb: ChildProcess;
let display: string;
let server: ConfabServer;
let port: number;

/** Starts Xvfb on a free display number, keeping its screen as a file in `work`. */
async function startXvfb(): Promise<void> {
  for (let n = 90 + (process.pid % 50); n < 400; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    display = `:${n}`;
    xvfb = spawn(
      'Xvfb',
      [display, '-screen', '0', '1280x800x24', '-fbdir', work, '-nolisten', 'tcp'],
      { stdio: 'ignore' },
    );
    const started = await waitFor(
      () => existsSync(`/tmp/.X11-unix/X${n}`),
      `Xvfb on ${display}`,
      5_000,
    )
      .then(() => true)
      .catch(() => false);
    if (started) return;
    xvfb.kill();
  }
  throw new Error('no free X display');
}

/** Runs confab-gui; resolves its output once `until` says so (or it exits). */
function launch(
  args: string[],
  env: Record<string, string>,
  detached = false,
): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, DISPLAY: display, XDG_CONFIG_HOME: join(work, 'config'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, out: () => out, err: () => err, exited };
}

/** Someone in #general on the JSON stream, watching who comes and goes. */
async function watcher(name: string): Promise<JsonClient> {
  const watch = await JsonClient.connect(port);
  await watch.register(name);
  return watch;
}

beforeAll(async () => {
  await startXvfb();
  ({ server, port } = await startChatServer());
});

afterAll(async () => {
  xvfb?.kill();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('confab-gui, the launcher', () => {
  it('without WebKitGTK falls back past the webview binding to a Chromium app window showing the chat, drawn from the top of the real screen', async () => {
    const watch = await watcher('watcher');
    const gui = launch(['--server', `127.0.0.1:${port}`, '--name', 'vic'], {
      CONFAB_CHROMIUM: CHROMIUM_PATH,
      CONFAB_GJS: '',
    });
    await waitFor(
      () => gui.out().includes('Confab is at http://127.0.0.1:'),
      'the page address',
      10_000,
    );
    await watch.next('joined', (f) => f.name === 'vic', 30_000);
    // The real binding cannot load here; one line says why in the system's
    // terms (not the binding's advice about npm), and nothing else is printed.
    expect(gui.err().trim().split('\n')).toEqual([
      expect.stringMatching(
        /^confab-gui: no native window \(WebKitGTK: gjs is not installed \(sudo apt-get install gjs gir1\.2-webkit2-4\.1\); @webviewjs\/webview cannot load: it needs (glibc [\d.]+ or newer, and this system has [\d.]+|the system library \S+, which is not installed)\); opening a Chromium app window$/,
      ),
    ]);
    watch.send({ type: 'say', room: '#general', text: 'Hello vic, this is the real X screen' });
    // The chat, not the connect screen, is in the real window: it is titled with the room.
    const x = await X11.open(display);
    try {
      await waitFor(
        async () => (await x.windowsNamed('#general — Confab')).length === 1,
        'the app window titled with the room',
        10_000,
      );
    } finally {
      x.close();
    }
    let screen = readXwd(join(work, 'Xvfb_screen0'));
    await waitFor(
      async () => colourCount((screen = readXwd(join(work, 'Xvfb_screen0')))) > 50,
      'the page to be painted',
      10_000,
    );
    writeFileSync(join(shots, 'xvfb-app-window.png'), toPng(screen));
    expect(colourCount(screen)).toBeGreaterThan(50);
    // The chat begins at the top of the window: no bar about --no-sandbox above it.
    // The window's top is its first row that is not the black of the empty screen;
    // the header ends in a line of the page's --line colour (#dcdde3) within 80 rows.
    const middle = Math.floor(screen.width / 2);
    const top = firstRow(screen, 0, middle, middle + 1, ([r, g, b]) => r + g + b > 0);
    const headerLine = firstRow(
      screen,
      top,
      middle - 200,
      middle + 200,
      ([r, g, b]) => r === 0xdc && g === 0xdd && b === 0xe3,
    );
    expect(headerLine - top).toBeGreaterThan(20);
    expect(headerLine - top).toBeLessThan(80);
    gui.child.kill('SIGTERM');
    expect(await gui.exited).toBe(0);
    await watch.next('left', (f) => f.name === 'vic', 10_000);
    watch.end();
  });

  it('on Linux opens the page in a native WebKitGTK window, titled with the room and unread count, that says <quit> when closed', async () => {
    const watch = await watcher('wren');
    const gui = launch(['--server', `127.0.0.1:${port}`, '--name', 'nia'], {
      CONFAB_CHROMIUM: '/bin/false',
    });
    await watch.next('joined', (f) => f.name === 'nia', 30_000);
    // The native window comes first: nothing about falling back.
    expect(gui.err()).toBe('');
    const x = await X11.open(display);
    try {
      await waitFor(
        async () => (await x.windowsNamed('#general — Confab')).length === 1,
        'a window titled with the room',
        10_000,
      );
      // A direct message is unread while #general is shown, and the title says so.
      watch.send({ type: 'say', room: '#general', text: 'Welcome to the native window, nia' });
      watch.send({ type: 'dm', to: 'nia', text: 'a word in private' });
      await waitFor(
        async () => (await x.windowsNamed('(1) #general — Confab')).length === 1,
        'the unread count in the title',
        10_000,
      );
      // The page paints a moment after its script sets the title.
      let screen = readXwd(join(work, 'Xvfb_screen0'));
      await waitFor(
        async () => colourCount((screen = readXwd(join(work, 'Xvfb_screen0')))) > 50,
        'the page to be painted',
        10_000,
      );
      writeFileSync(join(shots, 'xvfb-webkitgtk-window.png'), toPng(screen));
      // The close button: the window manager's WM_DELETE_WINDOW.
      const [window] = await x.windowsNamed('Confab');
      await x.askToClose(window!);
    } finally {
      x.close();
    }
    expect(await gui.exited).toBe(0);
    expect((await watch.next('left', (f) => f.name === 'nia')).reason).toBe('quit');
    watch.end();
  });

  it('closes the native window with the <quit> handshake on Ctrl-C and on SIGTERM', async () => {
    for (const [signal, name] of [
      ['SIGINT', 'ike'],
      ['SIGTERM', 'tom'],
    ] as const) {
      const watch = await watcher(`${name}-watcher`);
      // Its own process group, as in a terminal, where Ctrl-C reaches every process of the group.
      const gui = launch(['--server', `127.0.0.1:${port}`, '--name', name], {}, true);
      await watch.next('joined', (f) => f.name === name, 30_000);
      if (signal === 'SIGINT') process.kill(-gui.child.pid!, signal);
      else gui.child.kill(signal);
      expect(await gui.exited).toBe(0);
      expect((await watch.next('left', (f) => f.name === name, 10_000)).reason).toBe('quit');
      watch.end();
    }
  });

  it('gives each of two launches side by side its own live Chromium window', async () => {
    const watch = await watcher('side-watcher');
    const launches = ['ada', 'bea'].map((name) =>
      launch(['--server', `127.0.0.1:${port}`, '--name', name], {
        CONFAB_CHROMIUM: CHROMIUM_PATH,
        CONFAB_GJS: '',
        CONFAB_WEBVIEW_MODULE: 'confab-no-such-webview',
      }),
    );
    for (const name of ['ada', 'bea']) await watch.next('joined', (f) => f.name === name, 30_000);
    for (const gui of launches) {
      expect(gui.child.exitCode).toBeNull();
      gui.child.kill('SIGTERM');
      expect(await gui.exited).toBe(0);
    }
    watch.end();
  });

  it('gives a one-line notice, not a crash, when the webview binding is missing or broken', async () => {
    const broken = join(work, 'broken-webview.mjs');
    writeFileSync(
      broken,
      "throw new Error('libwebkit2gtk-4.1.so.0: cannot open shared object file');\n",
    );
    // /bin/true stands in for a browser that opens and closes at once.
    // A prebuilt binding's loader wraps the system's reason in advice about npm.
    const oldGlibc = join(work, 'old-glibc-webview.mjs');
    writeFileSync(
      oldGlibc,
      "throw new Error('Cannot find native binding. npm has a bug related to optional dependencies.', { cause: new Error(\"/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.39' not found (required by webview.node)\") });\n",
    );
    for (const [module, says] of [
      ['confab-no-such-webview', 'confab-no-such-webview is not installed'],
      [
        broken,
        'cannot load: it needs the system library libwebkit2gtk-4.1.so.0, which is not installed',
      ],
      [oldGlibc, 'cannot load: it needs glibc 2.39 or newer, and this system has'],
    ] as const) {
      const gui = launch(['--server', `127.0.0.1:${port}`], {
        CONFAB_WEBVIEW_MODULE: module,
        CONFAB_CHROMIUM: '/bin/true',
        CONFAB_GJS: '',
      });
      expect(await gui.exited).toBe(0);
      const lines = gui.err().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(says);
      expect(lines[0]).not.toContain('npm');
      expect(lines[0]).toMatch(/opening a Chromium app window$/);
      expect(gui.out()).toMatch(/^Confab is at http:\/\/127\.0\.0\.1:\d+\/\?server=/);
    }
  });

  it('says in its one line what to install when gjs is there without WebKitGTK', async () => {
    const gjs = join(work, 'gjs-without-webkit');
    writeFileSync(
      gjs,
      "#!/bin/sh\necho \"JS ERROR: Error: Requiring WebKit2, version 4.1: Typelib file for namespace 'WebKit2', version '4.1' not found\" >&2\nexit 1\n",
      { mode: 0o755 },
    );
    const gui = launch(['--server', `127.0.0.1:${port}`], {
      CONFAB_GJS: gjs,
      CONFAB_WEBVIEW_MODULE: 'confab-no-such-webview',
      CONFAB_CHROMIUM: '/bin/true',
    });
    expect(await gui.exited).toBe(0);
    expect(gui.err().trim().split('\n')).toEqual([
      'confab-gui: no native window (WebKitGTK: gjs has no WebKit2 4.1 (sudo apt-get install gjs gir1.2-webkit2-4.1); confab-no-such-webview is not installed); opening a Chromium app window',
    ]);
  });

  it('only prints the address with --no-open, and serves the page with its CSP', async () => {
    const gui = launch(['--no-open', '--server', `127.0.0.1:${port}`], {});
    await waitFor(() => gui.out().includes('Open it in a browser'), 'the address', 10_000);
    const url = /Confab is at (\S+)/.exec(gui.out())![1]!;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(await response.text()).toContain('<script type="module" src="app.js"></script>');
    expect((await fetch(new URL('/../../etc/passwd', url))).status).toBe(404);
    gui.child.kill('SIGINT');
    expect(await gui.exited).toBe(0);
  });
});
