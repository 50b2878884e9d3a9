import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ReactionCount } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type {
  ChangeStore,
  ChangedMessage,
  DeleteChange,
  EditChange,
  MessageChangeOutcome,
  ReactionChange,
  ReactionOutcome,
} from '../core/ports.js';
import { inMailbox } from '../core/ports.js';
import type { SqliteSearch } from './sqlite-search.js';

/**
 * How soon after a delete the write-ahead log is folded into the file and
 * emptied: until then it still holds the pages the deleted text was on.
 */
const ERASE_AFTER_MS = 1_000;

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
 * Changes to room messages and to mailboxes' direct messages, in the
 * history's SQLite file (the `messages` and `direct_messages` tables' own
 * rows for edits and deletes; a mailbox's changes are kept under its owner). A change is one short
 * transaction, written before it is answered (it survives a crash of the
 * process, as an appended message does). A delete overwrites the text
 * (`secure_delete`, set by the store) and, a moment later, empties the
 * write-ahead log, so the text is in no page of either file.
 */
export class SqliteChanges implements ChangeStore {
  private readonly has: StatementSync;
  private readonly hasEmoji: StatementSync;
  private readonly kinds: StatementSync;
  private readonly count: StatementSync;
  private readonly add: StatementSync;
  private readonly takeBack: StatementSync;
  private readonly lastRev: StatementSync;
  private readonly saveRev: StatementSync;
  private readonly saveChange: StatementSync;
  private readonly counts: StatementSync;
  private readonly changed: StatementSync;
  private readonly editText: StatementSync;
  private readonly eraseText: StatementSync;
  private readonly requoteEdited: StatementSync;
  private readonly requoteDeleted: StatementSync;
  private readonly dropReactions: StatementSync;
  /** The same for a mailbox's messages (`direct_messages`, by owner and dseq). */
  private readonly editDirect: StatementSync;
  private readonly eraseDirect: StatementSync;
  private readonly requoteEditedDirect: StatementSync;
  private readonly requoteDeletedDirect: StatementSync;
  private readonly forgetReactions: StatementSync;
  private readonly forgetChanges: StatementSync;
  private readonly forgetRev: StatementSync;
  private eraseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseSync,
    private readonly search: SqliteSearch,
  ) {
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
    this.takeBack = db.prepare(
      `DELETE FROM reactions WHERE ${where} AND emoji = ? AND name_key = ?`,
    );
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
    const live = 'room_key = ? AND seq = ? AND id = ? AND deleted_by IS NULL';
    this.editText = db.prepare(`UPDATE messages SET text = ?, edited = ? WHERE ${live}`);
    this.eraseText = db.prepare(
      `UPDATE messages SET text = '', edited = NULL, deleted_by = ? WHERE ${live}`,
    );
    // A quote of a deleted message keeps who said it, not what: NULL text.
    const quoting = 'room_key = ? AND reply_id = ? AND reply_text IS NOT NULL';
    this.requoteEdited = db.prepare(`UPDATE messages SET reply_text = ? WHERE ${quoting}`);
    this.requoteDeleted = db.prepare(`UPDATE messages SET reply_text = NULL WHERE ${quoting}`);
    this.dropReactions = db.prepare(`DELETE FROM reactions WHERE ${where}`);
    const liveDirect = 'owner = ? AND dseq = ? AND id = ? AND deleted_by IS NULL';
    this.editDirect = db.prepare(
      `UPDATE direct_messages SET text = ?, edited = ? WHERE ${liveDirect}`,
    );
    this.eraseDirect = db.prepare(
      `UPDATE direct_messages SET text = '', edited = NULL, deleted_by = ? WHERE ${liveDirect}`,
    );
    const quotingDirect = 'owner = ? AND reply_id = ? AND reply_text IS NOT NULL';
    this.requoteEditedDirect = db.prepare(
      `UPDATE direct_messages SET reply_text = ? WHERE ${quotingDirect}`,
    );
    this.requoteDeletedDirect = db.prepare(
      `UPDATE direct_messages SET reply_text = NULL WHERE ${quotingDirect}`,
    );
    this.forgetReactions = db.prepare('DELETE FROM reactions WHERE room_key = ? AND seq <= ?');
    this.forgetChanges = db.prepare('DELETE FROM message_changes WHERE room_key = ? AND seq <= ?');
    this.forgetRev = db.prepare('DELETE FROM room_revs WHERE room_key = ?');
  }

  /**
   * A mailbox no longer keeps its messages up to `dseq` (all of them, and
   * its change number, without one): their changes go too. Called within
   * the store's transaction that drops them.
   */
  forget(owner: string, dseq?: number): void {
    const upTo = dseq ?? Number.MAX_SAFE_INTEGER;
    this.forgetReactions.run(owner, upTo);
    this.forgetChanges.run(owner, upTo);
    if (dseq === undefined) this.forgetRev.run(owner);
  }

  edit(change: EditChange): Promise<MessageChangeOutcome> {
    const { roomKey, seq, id } = change;
    const mailbox = inMailbox(change);
    return this.change(roomKey, seq, id, () => {
      const edit = mailbox ? this.editDirect : this.editText;
      if (edit.run(change.text, change.ts, roomKey, seq, id).changes === 0) return false;
      (mailbox ? this.requoteEditedDirect : this.requoteEdited).run(change.excerpt, roomKey, id);
      this.search.edit(roomKey, seq, change.text);
      return true;
    });
  }

  remove(change: DeleteChange): Promise<MessageChangeOutcome> {
    const { roomKey, seq, id } = change;
    const mailbox = inMailbox(change);
    const outcome = this.change(roomKey, seq, id, () => {
      const erase = mailbox ? this.eraseDirect : this.eraseText;
      if (erase.run(change.by, roomKey, seq, id).changes === 0) return false;
      (mailbox ? this.requoteDeletedDirect : this.requoteDeleted).run(roomKey, id);
      this.search.erase(roomKey, seq);
      this.dropReactions.run(roomKey, seq);
      return true;
    });
    this.eraseTimer ??= setTimeout(() => this.emptyLog(), ERASE_AFTER_MS).unref();
    return outcome;
  }

  /** Folds the write-ahead log into the file and empties it (after a delete). */
  emptyLog(): void {
    clearTimeout(this.eraseTimer);
    this.eraseTimer = undefined;
    if (!this.db.isOpen) return;
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** Before the file is closed: what a delete left in the log is erased now. */
  close(): void {
    if (this.eraseTimer) this.emptyLog();
  }

  /**
   * Applies a change to message `seq` in one transaction with its number:
   * `apply` says whether there was a message to change (not deleted).
   */
  private change(
    roomKey: string,
    seq: number,
    id: string,
    apply: () => boolean,
  ): Promise<MessageChangeOutcome> {
    this.db.exec('BEGIN');
    try {
      if (!apply()) {
        this.db.exec('ROLLBACK');
        return Promise.resolve({ changed: false });
      }
      const rev = this.revOf(roomKey) + 1;
      this.saveRev.run(roomKey, rev);
      this.saveChange.run(roomKey, seq, id, rev);
      this.db.exec('COMMIT');
      return Promise.resolve({ changed: true, rev });
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      return Promise.reject(error);
    }
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
      if (change.remove) this.takeBack.run(roomKey, seq, emoji, nameKey);
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
