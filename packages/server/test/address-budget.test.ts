import { describe, expect, it } from 'vitest';
import { addressKey, isLoopback, networkKey } from '../src/net/address-group.js';
import { AddressBudgets } from '../src/session/address-budget.js';

/** A budget on a clock that moves only when it sleeps. */
function budgetAt(rates: { bytesPerSecond: number; readsPerSecond: number }) {
  const clock = { now: 0, slept: 0 };
  const budgets = new AddressBudgets(
    rates,
    () => clock.now,
    async (ms) => {
      clock.now += ms;
      clock.slept += ms;
    },
  );
  return { budgets, clock };
}

describe('the per-address budget', () => {
  it('lets an idle address read four seconds’ worth at once, then at the rate', async () => {
    const { budgets, clock } = budgetAt({ bytesPerSecond: 0, readsPerSecond: 10 });
    for (let i = 0; i < 40; i++) await budgets.read('a');
    expect(clock.slept).toBe(0);
    for (let i = 0; i < 10; i++) await budgets.read('a');
    expect(clock.slept).toBe(1_000);
  });

  it('makes the next read wait until the bytes sent over the balance are paid back', async () => {
    const { budgets, clock } = budgetAt({ bytesPerSecond: 1_000, readsPerSecond: 0 });
    await budgets.read('a');
    budgets.charge('a', 4_000 + 3_000);
    await budgets.read('a');
    expect(clock.slept).toBe(3_000);
  });

  it('keeps each address’s balance apart', async () => {
    const { budgets, clock } = budgetAt({ bytesPerSecond: 1_000, readsPerSecond: 0 });
    budgets.charge('a', 100_000);
    await budgets.read('b');
    expect(clock.slept).toBe(0);
    await budgets.read('a');
    expect(clock.slept).toBe(96_000);
  });

  it('counts an IPv6 /64 as one address, and a /24 or /64 as one network', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::2'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(networkKey('10.0.0.7')).toBe(networkKey('10.0.0.200'));
    expect(networkKey('10.0.1.7')).not.toBe(networkKey('10.0.0.7'));
    expect(isLoopback('127.0.0.2')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});
