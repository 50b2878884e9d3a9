import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A login kept for a server: the account's name and the session token. */
export interface KeptLogin {
  name: string;
  token: string;
}

/** What is kept for one server: a login, and the guest key of each name used there as a guest. */
interface Kept {
  name?: string;
  token?: string;
  /** By folded name, in the order last used. */
  guests?: Record<string, string>;
}

/** Guest keys kept per server; past it, the one used longest ago goes. */
const MAX_GUEST_KEYS = 32;
const GUEST_KEY = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * What the terminal client keeps, per server (`host:port`), in
 * `$XDG_CONFIG_HOME/confab/sessions.json` (`~/.config/...` by default): a
 * login, and the guest key of each name it came as a guest with. A token
 * logs in as its account and a guest key is the guest's direct messages:
 * the file is readable by its owner only (0600, in a 0700 folder), and
 * written whole or not at all.
 */
export class SessionsFile {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.path = join(base, 'confab', 'sessions.json');
  }

  /** The login kept for a server, if any. */
  get(server: string): KeptLogin | undefined {
    const kept = this.read()[server];
    return kept && typeof kept.name === 'string' && typeof kept.token === 'string'
      ? { name: kept.name, token: kept.token }
      : undefined;
  }

  /** Keeps a login for a server (replacing the one kept). */
  set(server: string, login: KeptLogin): void {
    const all = this.read();
    this.write({ ...all, [server]: { ...all[server], name: login.name, token: login.token } });
  }

  /** Forgets the login kept for a server (logged out); its guest keys stay. */
  delete(server: string): void {
    const all = this.read();
    const kept = all[server];
    if (kept?.token === undefined) return;
    all[server] = kept.guests === undefined ? {} : { guests: kept.guests };
    this.write(all);
  }

  /**
   * The guest key of a name on a server (`nameKey`: folded): the same name
   * comes back as the same guest, and takes its name back from a run of it
   * whose link died; another name is another guest. Made by `make` (and
   * kept) the first time.
   */
  guestKey(server: string, nameKey: string, make: () => string): string {
    const all = this.read();
    const guests = { ...all[server]?.guests };
    const kept = guests[nameKey];
    const key = typeof kept === 'string' && GUEST_KEY.test(kept) ? kept : make();
    delete guests[nameKey];
    guests[nameKey] = key;
    const names = Object.keys(guests);
    for (const old of names.slice(0, Math.max(0, names.length - MAX_GUEST_KEYS)))
      delete guests[old];
    try {
      this.write({ ...all, [server]: { ...all[server], guests } });
    } catch {
      // Not kept (a read-only home): this run still has one.
    }
    return key;
  }

  private read(): Record<string, Kept> {
    try {
      const value = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return typeof value === 'object' && value !== null
        ? Object.assign(Object.create(null) as Record<string, Kept>, value)
        : Object.create(null);
    } catch {
      return Object.create(null);
    }
  }

  private write(all: Record<string, Kept>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    // A file made before by another hand keeps no looser mode.
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
