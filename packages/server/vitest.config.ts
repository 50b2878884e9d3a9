import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real servers on real ports: give slow machines room, and keep files apart.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
