import { defineConfig } from 'vitest/config';

// The same tests run twice: under Node, and in a browser-like environment
// (happy-dom), because the package must work in both. Tests that read files
// or bundle the package (`*.node.test.ts`) run under Node only.
export default defineConfig({
  test: {
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
