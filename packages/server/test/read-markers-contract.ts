import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadMarkerStore } from '../src/index.js';
import { MAX_READ_MARKERS } from '../src/index.js';
import type { Backend } from './store-backends.js';

/** The contract every read-marker store passes, on each backend. */
export function readMarkersContract({ name, open, reopen }: Backend<ReadMarkerStore>): void {
  describe(`${name} read markers`, () => {
    let store: ReadMarkerStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ part: store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('moves a marker only forward, per identity and place', async () => {
      expect(await store.advance('a:ada', '#den', 5)).toBe(true);
      expect(await store.advance('a:ada', '#den', 3)).toBe(false);
      expect(await store.advance('a:ada', '#den', 5)).toBe(false);
      expect(await store.advance('a:ada', '@bob', 2)).toBe(true);
      expect(await store.advance('a:cy', '#den', 1)).toBe(true);
      expect(await store.advance('a:ada', '#den', 9)).toBe(true);
      expect([...(await store.markers('a:ada'))].sort()).toEqual([
        ['#den', 9],
        ['@bob', 2],
      ]);
      expect(await store.markers('a:nobody')).toEqual(new Map());
    });

    it(`keeps at most ${MAX_READ_MARKERS} places an identity`, async () => {
      for (let i = 0; i < MAX_READ_MARKERS; i++) await store.advance('a:ada', `#r${i}`, 1);
      expect(await store.advance('a:ada', '#one-too-many', 1)).toBe(false);
      expect(await store.advance('a:ada', '#r0', 2)).toBe(true);
      expect((await store.markers('a:ada')).size).toBe(MAX_READ_MARKERS);
    });

    if (reopen)
      it('keeps its markers across a restart', async () => {
        await store.advance('a:ada', '#den', 7);
        await close();
        ({ part: store, close } = await reopen());
        expect((await store.markers('a:ada')).get('#den')).toBe(7);
      });
  });
}
