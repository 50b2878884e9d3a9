import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '@confab/test-kit';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';

describe('the SQLite history', () => {
  it('copies its write-ahead log into the file from another thread, not in a commit', async () => {
    const dir = tempDir();
    const store = await SqliteStore.open({ dataDir: dir.path });
    try {
      const file = join(dir.path, 'confab.db');
      const before = statSync(file).size;
      // A few hundred commits of a page or two: far below the 10,000 pages at which a commit would copy them.
      for (let n = 0; n < 400; n++) {
        void store.append({
          id: `m${n}`,
          roomKey: '#den',
          room: '#den',
          from: 'ada',
          text: `message ${n} ${'x'.repeat(2000)}`,
          ts: 1000 + n,
          action: false,
        });
        await store.flush();
      }
      await waitFor(() => statSync(file).size > before + 400 * 2000, 'the file to take the log');
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
