import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A login kept for a server: the account's name and the session token. */
export interface KeptLogin {
  name: string;
  token: string;
}

/**
 * The logins the terminal client keeps, one per server (`host:port`), in
 * `$XDG_CONFIG_HOME/confab/sessions.json` (`~/.config/...` by default).
 * A token logs in as its account: the file is readable by its owner only
 * (0600, in a 0700 folder), and written whole or not at all.
 */
export class SessionsFile {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.path = join(base, 'confab', 'sessions.json');
  }

  /** The login kept for a server, if any. */
  get(server: string): KeptLogin | undefined {
    const login = this.read()[server];
    return login && typeof login.name === 'string' && typeof login.token === 'string'
      ? login
      : undefined;
  }

  /** Keeps a login for a server (replacing the one kept). */
  set(server: string, login: KeptLogin): void {
    this.write({ ...this.read(), [server]: login });
  }

  /** Forgets the login kept for a server (logged out). */
  delete(server: string): void {
    const all = this.read();
    if (!(server in all)) return;
    delete all[server];
    this.write(all);
  }

  private read(): Record<string, KeptLogin> {
    try {
      const value = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return typeof value === 'object' && value !== null
        ? Object.assign(Object.create(null) as Record<string, KeptLogin>, value)
        : Object.create(null);
    } catch {
      return Object.create(null);
    }
  }

  private write(all: Record<string, KeptLogin>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    // A file made before by another hand keeps no looser mode.
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
