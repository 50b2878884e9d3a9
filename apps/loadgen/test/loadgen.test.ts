import { describe, expect, it } from 'vitest';
import { runFanout } from '../src/fanout.js';
import { runIdle } from '../src/idle.js';
import { runLoginStorm } from '../src/logins.js';
import { runReactionStorm } from '../src/reactions.js';
import { runSearchBench } from '../src/search.js';

// Small, unpinned runs against real server processes: the benchmark's own
// machinery must count right (zero loss, every delivery seen) before its
// figures mean anything. Speed is not asserted here; `pnpm bench` reports it.
describe('load generator', () => {
  it.each(['json', 'ws', 'plain'] as const)(
    'counts every delivery of a closed-loop run over %s',
    async (transport) => {
      const result = await runFanout({
        label: 't',
        server: 'confab',
        transport,
        store: 'memory',
        clients: 20,
        senders: 3,
        mode: 'closed',
        window: 4,
        seconds: 0.5,
        pin: false,
      });
      expect(result.messages).toBeGreaterThan(10);
      expect(result.deliveries).toBe(result.messages * 20);
      expect(result.lost).toBe(0);
      expect(result.serverCpuSeconds).toBeGreaterThan(0);
      expect(result.p99Ms).toBeGreaterThan(0);
    },
  );

  it('drives the socket.io peer the same way', async () => {
    const result = await runFanout({
      label: 't',
      server: 'socketio',
      transport: 'socketio',
      clients: 20,
      senders: 3,
      mode: 'closed',
      window: 4,
      seconds: 0.5,
      pin: false,
    });
    expect(result.lost).toBe(0);
    expect(result.deliveries).toBe(result.messages * 20);
  });

  it('offers a fixed load in an open loop, and a reader that stops reading costs the rest nothing', async () => {
    const result = await runFanout({
      label: 't',
      server: 'confab',
      transport: 'json',
      store: 'sqlite',
      clients: 20,
      senders: 2,
      mode: 'open',
      offered: 4_000,
      seconds: 1,
      slowReader: true,
      pin: false,
    });
    // About 4,000 deliveries a second for a second: every one reached the 20 who read.
    expect(result.messages).toBeGreaterThan(100);
    expect(result.deliveries).toBe(result.messages * 20);
    expect(result.lost).toBe(0);
    // The run says what became of the reader that stopped. At this load its share
    // (some 24 KB) fits in the kernel's socket buffers, so the server need not drop
    // it; limits.test.ts drops one for real and sees its slow_consumer error.
    expect(result.notes).toContain('slow reader NOT dropped');
  });

  it('runs a login storm: every login in, the room loses nothing meanwhile', async () => {
    const result = await runLoginStorm(40, false);
    expect(result.logins).toBe(40);
    expect(result.refused).toBe(0);
    // The figures make sense: 40 logins in well under a minute, a chat that kept
    // going meanwhile, and an event-loop lag that is a lag (not negative, not minutes).
    expect(result.loginsPerSecond).toBeGreaterThan(40 / 60);
    expect(result.chatDelivered).toBeGreaterThan(0);
    expect(result.chatLost).toBe(0);
    expect(result.eventLoopP99Ms).toBeGreaterThanOrEqual(0);
    expect(result.eventLoopP99Ms).toBeLessThan(10_000);
  });

  it('runs a reaction storm: the news of every reaction reaches everyone, the room loses nothing meanwhile', async () => {
    const result = await runReactionStorm(30, false);
    expect(result.deliveries).toBe(30 * 30);
    expect(result.lost).toBe(0);
    expect(result.chatLost).toBe(0);
    expect(result.reactionsPerSecond).toBeGreaterThan(30 / 60);
    expect(result.eventLoopP99Ms).toBeGreaterThanOrEqual(0);
    expect(result.eventLoopP99Ms).toBeLessThan(10_000);
  });

  it('fills and searches an index: every message acked and indexed, the room loses nothing meanwhile', async () => {
    const result = await runSearchBench(2_000, false);
    expect(result.messages).toBe(2_000);
    expect(result.chatLost).toBe(0);
    // A third of the messages have the common word: a full first page of it.
    expect(result.common.hits).toBe(20);
    expect(result.rare.hits).toBe(0);
    expect(result.indexBytesPerMessage).toBeGreaterThan(0);
    expect(result.bytesPerMessage).toBeGreaterThan(result.indexBytesPerMessage);
  });

  it('measures memory per idle connection', async () => {
    const result = await runIdle(100, false);
    // A Node server holds tens of MB; an idle registered connection some KB, not
    // nothing and not megabytes (the full run measures 5 to 25 KB).
    expect(result.rssAfterMB).toBeGreaterThan(20);
    expect(result.rssAfterMB).toBeLessThan(2_000);
    // Just after the connections came the server holds more; once it has trimmed,
    // what is left may be within the noise of 100 connections, but not megabytes.
    expect(result.bytesPerConnectionJustAfter).toBeGreaterThan(0);
    expect(result.bytesPerConnectionJustAfter).toBeLessThan(1024 * 1024);
    expect(result.bytesPerConnection).toBeLessThan(1024 * 1024);
  });
});
