import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ReactionCount } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type {
  ChangedMessage,
  ReactionChange,
  ReactionOutcome,
  ReactionStore,
} from '../core/ports.js';

const SCHEMA = `
  -- Who put which emoji on which message; rev: when (the emoji's order is its first).
  CREATE TABLE IF NOT EXISTS reactions (
    room_key TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    emoji    TEXT NOT NULL,
    name_key TEXT NOT NULL,
    rev      INTEGER NOT NULL,
    PRIMARY KEY (room_key, seq, emoji, name_key)
  ) WITHOUT ROWID;
  -- Each changed message's last change, for a client that catches up.
  CREATE TABLE IF NOT EXISTS message_changes (
    room_key TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL,
    rev      INTEGER NOT NULL,
    PRIMARY KEY (room_key, seq)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS message_changes_by_rev ON message_changes (room_key, rev);
  -- Each room's last change number.
  CREATE TABLE IF NOT EXISTS room_revs (
    room_key TEXT PRIMARY KEY,
    rev      INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/**
 * Reactions in the history's SQLite file. A change is one short
 * transaction, written before it is answered (it survives a crash of the
 * process, as an appended message does).
 */
export class SqliteReactions implements ReactionStore {
  private readonly has: StatementSync;
  private readonly hasEmoji: StatementSync;
  private readonly kinds: StatementSync;
  private readonly count: StatementSync;
  private readonly add: StatementSync;
  private readonly remove: StatementSync;
  private readonly lastRev: StatementSync;
  private readonly saveRev: StatementSync;
  private readonly saveChange: StatementSync;
  private readonly counts: StatementSync;
  private readonly changed: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    db.exec(SCHEMA);
    const where = 'room_key = ? AND seq = ?';
    this.has = db.prepare(
      `SELECT 1 FROM reactions WHERE ${where} AND emoji = ? AND name_key = ? LIMIT 1`,
    );
    this.hasEmoji = db.prepare(`SELECT 1 FROM reactions WHERE ${where} AND emoji = ? LIMIT 1`);
    this.kinds = db.prepare(`SELECT COUNT(DISTINCT emoji) AS n FROM reactions WHERE ${where}`);
    this.count = db.prepare(`SELECT COUNT(*) AS n FROM reactions WHERE ${where} AND emoji = ?`);
    this.add = db.prepare(
      'INSERT INTO reactions (room_key, seq, emoji, name_key, rev) VALUES (?, ?, ?, ?, ?)',
    );
    this.remove = db.prepare(`DELETE FROM reactions WHERE ${where} AND emoji = ? AND name_key = ?`);
    this.lastRev = db.prepare('SELECT rev FROM room_revs WHERE room_key = ?');
    this.saveRev = db.prepare(
      'INSERT INTO room_revs (room_key, rev) VALUES (?, ?) ON CONFLICT (room_key) DO UPDATE SET rev = excluded.rev',
    );
    this.saveChange = db.prepare(
      'INSERT INTO message_changes (room_key, seq, id, rev) VALUES (?, ?, ?, ?) ON CONFLICT (room_key, seq) DO UPDATE SET rev = excluded.rev',
    );
    // One row per message and emoji, in the order each emoji was first given.
    this.counts = db.prepare(
      `SELECT seq, emoji, COUNT(*) AS count, MIN(rev) AS first, MAX(name_key = ?) AS me
       FROM reactions WHERE room_key = ? AND seq IN (SELECT value FROM json_each(?))
       GROUP BY seq, emoji ORDER BY seq, first`,
    );
    this.changed = db.prepare(
      'SELECT seq, id, rev FROM message_changes WHERE room_key = ? AND rev > ? ORDER BY rev LIMIT ?',
    );
  }

  react(change: ReactionChange): Promise<ReactionOutcome> {
    const { roomKey, seq, emoji, nameKey } = change;
    const had = this.has.get(roomKey, seq, emoji, nameKey) !== undefined;
    if (had === !change.remove) return Promise.resolve({ changed: false });
    if (
      !change.remove &&
      this.hasEmoji.get(roomKey, seq, emoji) === undefined &&
      (this.kinds.get(roomKey, seq) as { n: number }).n >= LIMITS.maxReactionKinds
    )
      return Promise.resolve({ changed: false, full: true });
    this.db.exec('BEGIN');
    try {
      const rev = this.revOf(roomKey) + 1;
      if (change.remove) this.remove.run(roomKey, seq, emoji, nameKey);
      else this.add.run(roomKey, seq, emoji, nameKey, rev);
      this.saveRev.run(roomKey, rev);
      this.saveChange.run(roomKey, seq, change.id, rev);
      const count = (this.count.get(roomKey, seq, emoji) as { n: number }).n;
      this.db.exec('COMMIT');
      return Promise.resolve({ changed: true, rev, count });
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      return Promise.reject(error);
    }
  }

  reactionsOf(
    roomKey: string,
    seqs: readonly number[],
    reader?: string,
  ): Promise<Map<number, ReactionCount[]>> {
    const found = new Map<number, ReactionCount[]>();
    if (seqs.length === 0) return Promise.resolve(found);
    const rows = this.counts.all(reader ?? null, roomKey, JSON.stringify(seqs)) as Array<{
      seq: number;
      emoji: string;
      count: number;
      me: number | null;
    }>;
    for (const row of rows) {
      let list = found.get(row.seq);
      if (!list) found.set(row.seq, (list = []));
      list.push(
        row.me === 1
          ? { emoji: row.emoji, count: row.count, me: true }
          : { emoji: row.emoji, count: row.count },
      );
    }
    return Promise.resolve(found);
  }

  changedAfter(roomKey: string, rev: number, limit: number): Promise<ChangedMessage[]> {
    return Promise.resolve(
      (this.changed.all(roomKey, rev, limit) as unknown as ChangedMessage[]).map((row) => ({
        seq: row.seq,
        id: row.id,
        rev: row.rev,
      })),
    );
  }

  rev(roomKey: string): Promise<number> {
    return Promise.resolve(this.revOf(roomKey));
  }

  private revOf(roomKey: string): number {
    return (this.lastRev.get(roomKey) as { rev: number } | undefined)?.rev ?? 0;
  }
}
