import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // What a page shows can take several seconds on a machine busy with other suites.
    expect: { poll: { timeout: 15_000 } },
  },
});
