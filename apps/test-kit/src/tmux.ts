import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT_MS } from './wait.js';

/**
 * A private tmux server (its own socket, so tests never touch a user's
 * tmux) with one session per terminal client.
 */
export class Tmux {
  readonly socket = `confab-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  /**
   * Config folders (kept logins, guest keys): one per session, each its own
   * person, and never the user's.
   */
  readonly configHome = mkdtempSync(join(tmpdir(), 'confab-tmux-config-'));

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` in a new session of the given size. */
  start(session: string, command: string, size = { width: 120, height: 30 }): void {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(size.width),
      '-y',
      String(size.height),
      // A command that names its own config folder (one person's devices) names it after this one, and wins.
      `XDG_CONFIG_HOME=${join(this.configHome, session)} ${command}; echo "[exited $?]"; sleep 30`,
    );
    // A fixed, known environment: UTF-8, a common terminal type.
    this.tmux('set-option', '-t', session, 'status', 'off');
  }

  /** Types text literally (no key names), then optionally presses Enter. */
  type(session: string, text: string, enter = true): void {
    this.tmux('send-keys', '-t', session, '-l', text);
    if (enter) this.tmux('send-keys', '-t', session, 'Enter');
  }

  /** Presses keys by tmux name (`C-c`, `PageUp`, `F2`, …). */
  keys(session: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', session, ...keys);
  }

  /** The screen as text. */
  screen(session: string): string {
    return this.tmux('capture-pane', '-p', '-t', session);
  }

  /** The screen with its colours and attributes, as escape sequences. */
  styled(session: string): string {
    return this.tmux('capture-pane', '-e', '-p', '-t', session);
  }

  /** The process id of the program started in a session (the shell's child). */
  programPid(session: string): number {
    const shell = this.tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
    const child = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0];
    return Number(child);
  }

  /** Resizes the session's window. */
  resize(session: string, width: number, height: number): void {
    this.tmux('resize-window', '-t', session, '-x', String(width), '-y', String(height));
  }

  /** Pastes text as a terminal paste does: one burst, line breaks as carriage returns. */
  paste(session: string, text: string): void {
    this.tmux('set-buffer', '-b', 'confab-test', text);
    this.tmux('paste-buffer', '-b', 'confab-test', '-t', session, '-d');
  }

  /** The pane's title (what an escape sequence would change). */
  title(session: string): string {
    return this.tmux('display-message', '-p', '-t', session, '#{pane_title}').trim();
  }

  /**
   * Waits until the screen matches, and returns it. Longer than a frame's
   * wait: the first screen of a session includes a Node program starting,
   * which on a loaded machine takes seconds.
   */
  async waitFor(
    session: string,
    match: string | RegExp | ((screen: string) => boolean),
    ms = 2 * WAIT_MS,
  ): Promise<string> {
    const test =
      typeof match === 'function'
        ? match
        : (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = this.screen(session);
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `timed out waiting for ${String(match)} in ${session}; the screen was:\n${last}`,
    );
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    rmSync(this.configHome, { recursive: true, force: true });
  }
}
