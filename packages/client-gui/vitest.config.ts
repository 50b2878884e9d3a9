import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A page loads and connects in well under a second on a quiet machine,
    // but a CI machine running other suites beside it can take several.
    expect: { poll: { timeout: 15_000 } },
  },
});
