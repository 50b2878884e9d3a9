import { describe, expect, it } from 'vitest';
import { runFanout } from '../src/fanout.js';
import { runIdle } from '../src/idle.js';
import { runLoginStorm } from '../src/logins.js';

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

  it('offers a fixed load in an open loop and drops a slow reader without loss to the rest', async () => {
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
    expect(result.messages).toBeGreaterThan(100);
    expect(result.lost).toBe(0);
  });

  it('runs a login storm: every login in, the room loses nothing meanwhile', async () => {
    const result = await runLoginStorm(40, false);
    expect(result.logins).toBe(40);
    expect(result.refused).toBe(0);
    expect(result.loginsPerSecond).toBeGreaterThan(0);
    expect(result.chatDelivered).toBeGreaterThan(0);
    expect(result.chatLost).toBe(0);
    expect(Number.isFinite(result.eventLoopP99Ms)).toBe(true);
  });

  it('measures memory per idle connection', async () => {
    const result = await runIdle(100, false);
    expect(result.rssAfterMB).toBeGreaterThan(0);
    expect(Number.isFinite(result.bytesPerConnection)).toBe(true);
  });
});
