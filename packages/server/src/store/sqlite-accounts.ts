import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { foldName } from '@confab/protocol';
import type { Account, AccountStore, SessionRecord } from '../core/ports.js';
import { MAX_SESSIONS_PER_ACCOUNT, SESSION_TTL_MS } from '../core/ports.js';
import { LOOKALIKE_VERSION, lookalikeKey } from '../names/lookalikes.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS accounts (
    id            TEXT PRIMARY KEY,
    name_key      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created       INTEGER NOT NULL,
    rooms         TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE IF NOT EXISTS sessions (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    client     TEXT NOT NULL,
    created    INTEGER NOT NULL,
    seen       INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sessions_of_account ON sessions (account_id, seen);
  CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
`;

interface AccountRow {
  id: string;
  name_key: string;
  name: string;
  lookalike: string;
  password_hash: string;
  created: number;
  rooms: string;
}

interface SessionRow {
  id: string;
  account_id: string;
  token_hash: string;
  client: string;
  created: number;
  seen: number;
}

function toAccount(row: AccountRow | undefined): Account | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    nameKey: row.name_key,
    name: row.name,
    lookalike: row.lookalike,
    passwordHash: row.password_hash,
    created: row.created,
    rooms: JSON.parse(row.rooms) as string[],
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    tokenHash: row.token_hash,
    client: row.client,
    created: row.created,
    seen: row.seen,
  };
}

/**
 * Accounts and sessions in the history's SQLite file. Each write is its own
 * small transaction, made at once: accounts change seldom (a registration,
 * a login), unlike messages, which are batched per event-loop turn.
 */
export class SqliteAccounts implements AccountStore {
  private readonly insertAccount: StatementSync;
  private readonly selectByKey: StatementSync;
  private readonly selectByLookalike: StatementSync;
  private readonly trimSessions: StatementSync;
  private readonly selectById: StatementSync;
  private readonly updatePassword: StatementSync;
  private readonly replacePassword: StatementSync;
  private readonly updateRooms: StatementSync;
  private readonly insertSession: StatementSync;
  private readonly selectSession: StatementSync;
  private readonly updateSeen: StatementSync;
  private readonly selectSessions: StatementSync;
  private readonly deleteSession: StatementSync;
  private readonly deleteOthers: StatementSync;
  private readonly deleteExpired: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    db.exec(SCHEMA);
    this.migrate();
    this.insertAccount = db.prepare(
      `INSERT INTO accounts (id, name_key, name, lookalike, password_hash, created, rooms)
       SELECT ?, ?, ?, ?, ?, ?, ?
       WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ? OR lookalike = ?)`,
    );
    this.selectByKey = db.prepare('SELECT * FROM accounts WHERE name_key = ?');
    this.selectByLookalike = db.prepare('SELECT * FROM accounts WHERE lookalike = ? LIMIT 1');
    this.trimSessions = db.prepare(
      `DELETE FROM sessions WHERE account_id = ? AND id NOT IN
         (SELECT id FROM sessions WHERE account_id = ? ORDER BY seen DESC, created DESC LIMIT ?)`,
    );
    this.selectById = db.prepare('SELECT * FROM accounts WHERE id = ?');
    this.updatePassword = db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?');
    this.replacePassword = db.prepare(
      'UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?',
    );
    this.updateRooms = db.prepare('UPDATE accounts SET rooms = ? WHERE id = ?');
    this.insertSession = db.prepare(
      'INSERT INTO sessions (id, account_id, token_hash, client, created, seen) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectSession = db.prepare('SELECT * FROM sessions WHERE token_hash = ? AND seen >= ?');
    this.updateSeen = db.prepare('UPDATE sessions SET seen = ? WHERE id = ?');
    this.selectSessions = db.prepare(
      'SELECT * FROM sessions WHERE account_id = ? AND seen >= ? ORDER BY seen DESC, created DESC',
    );
    this.deleteSession = db.prepare('DELETE FROM sessions WHERE account_id = ? AND id = ?');
    this.deleteOthers = db.prepare(
      'DELETE FROM sessions WHERE account_id = ? AND id != ? RETURNING id',
    );
    this.deleteExpired = db.prepare('DELETE FROM sessions WHERE seen < ?');
  }

  async create(account: Account): Promise<boolean> {
    const result = this.insertAccount.run(
      account.id,
      account.nameKey,
      account.name,
      account.lookalike,
      account.passwordHash,
      account.created,
      JSON.stringify(account.rooms),
      account.nameKey,
      account.lookalike,
    );
    return result.changes === 1;
  }

  async byLookalike(lookalike: string): Promise<Account | undefined> {
    return toAccount(this.selectByLookalike.get(lookalike) as AccountRow | undefined);
  }

  async byName(nameKey: string): Promise<Account | undefined> {
    return toAccount(this.selectByKey.get(nameKey) as AccountRow | undefined);
  }

  async byId(id: string): Promise<Account | undefined> {
    return toAccount(this.selectById.get(id) as AccountRow | undefined);
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    this.updatePassword.run(passwordHash, id);
  }

  async rehashPassword(id: string, from: string, to: string): Promise<boolean> {
    return Number(this.replacePassword.run(to, id, from).changes) === 1;
  }

  async setRooms(id: string, rooms: string[]): Promise<void> {
    this.updateRooms.run(JSON.stringify(rooms), id);
  }

  async addSession(session: SessionRecord): Promise<void> {
    this.insertSession.run(
      session.id,
      session.accountId,
      session.tokenHash,
      session.client,
      session.created,
      session.seen,
    );
    this.trimSessions.run(session.accountId, session.accountId, MAX_SESSIONS_PER_ACCOUNT);
  }

  async sessionByToken(tokenHash: string, now: number): Promise<SessionRecord | undefined> {
    const row = this.selectSession.get(tokenHash, now - SESSION_TTL_MS) as SessionRow | undefined;
    return row && toSession(row);
  }

  async touchSession(session: SessionRecord, now: number): Promise<void> {
    this.updateSeen.run(now, session.id);
  }

  async sessions(accountId: string, now: number): Promise<SessionRecord[]> {
    return (
      this.selectSessions.all(accountId, now - SESSION_TTL_MS) as unknown as SessionRow[]
    ).map(toSession);
  }

  async revoke(accountId: string, sessionId: string): Promise<boolean> {
    return this.deleteSession.run(accountId, sessionId).changes === 1;
  }

  async revokeAllBut(accountId: string, keep: string | undefined): Promise<string[]> {
    return (this.deleteOthers.all(accountId, keep ?? '') as Array<{ id: string }>).map((r) => r.id);
  }

  /** Forgets sessions that expired (run now and then: lookups skip them anyway). */
  pruneExpired(now: number): number {
    return Number(this.deleteExpired.run(now - SESSION_TTL_MS).changes);
  }

  /**
   * Brings accounts made by an earlier version up to this one: a look-alike
   * key for each (made again when the way keys are made changed), and name
   * keys folded as names fold now (compatibility forms) where no other
   * account has the new key already.
   */
  private migrate(): void {
    const db = this.db;
    const columns = db.prepare('PRAGMA table_info(accounts)').all() as Array<{ name: string }>;
    if (!columns.some((column) => column.name === 'lookalike'))
      db.exec("ALTER TABLE accounts ADD COLUMN lookalike TEXT NOT NULL DEFAULT ''");
    db.exec('CREATE INDEX IF NOT EXISTS accounts_by_lookalike ON accounts (lookalike)');
    const version = db
      .prepare("SELECT value FROM settings WHERE key = 'lookalike_version'")
      .get() as { value: string } | undefined;
    if (version?.value === LOOKALIKE_VERSION) return;
    const rows = db.prepare('SELECT id, name, name_key FROM accounts').all() as Array<{
      id: string;
      name: string;
      name_key: string;
    }>;
    const setKeys = db.prepare('UPDATE accounts SET lookalike = ? WHERE id = ?');
    const setNameKey = db.prepare(
      'UPDATE accounts SET name_key = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ?)',
    );
    db.exec('BEGIN');
    try {
      for (const row of rows) {
        setKeys.run(lookalikeKey(row.name), row.id);
        const folded = foldName(row.name);
        if (folded !== row.name_key) setNameKey.run(folded, row.id, folded);
      }
      db.prepare(
        "INSERT INTO settings (key, value) VALUES ('lookalike_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(LOOKALIKE_VERSION);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
