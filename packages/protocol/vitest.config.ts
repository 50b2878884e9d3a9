import { defineConfig } from 'vitest/config';

// The same tests run twice: under Node, and in a browser-like environment
// (happy-dom), because the package must work in both. Tests that read files
// or bundle the package (`*.node.test.ts`) run under Node only.
export default defineConfig({
  test: {
    // Property tests do real work; on a busy 2-core CI machine they need room.
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'node', environment: 'node' } },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'happy-dom',
          exclude: ['test/**/*.node.test.ts', '**/node_modules/**'],
        },
      },
    ],
  },
});
