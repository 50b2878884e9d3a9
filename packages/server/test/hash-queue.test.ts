import { describe, expect, it } from 'vitest';
import { HashQueue } from '../src/accounts/hash-queue.js';

describe('the password hash queue', () => {
  it('runs at most `concurrency` at once, in order, and refuses past the waiting bound', async () => {
    const queue = new HashQueue(2, 3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const task = (i: number) => () =>
      new Promise<number>((resolve) => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        releases.push(() => {
          running--;
          resolve(i);
        });
      });
    const runs = [0, 1, 2, 3, 4].map((i) => queue.run(task(i)));
    await expect(queue.run(task(5))).rejects.toMatchObject({ code: 'unavailable' });
    expect(queue.backlog).toBe(3);
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(queue.backlog).toBe(0);
  });
});
