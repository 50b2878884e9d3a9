// One lint setup for the whole tree. The layer rules below are the
// architecture stated as code: what each layer may not import.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = {
  group: ['node:*'],
  message: 'This layer runs in the browser too: no Node built-ins here.',
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '**/.turbo/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-throw-literal': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The protocol package is isomorphic: no Node built-ins, Buffer or process.
    files: ['packages/protocol/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins] }],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Use Uint8Array and TextEncoder/TextDecoder.' },
        { name: 'process', message: 'The protocol package must run in browsers.' },
      ],
    },
  },
  {
    // The chat core knows nothing of sockets, logs, or the runtime: it reaches
    // the world only through the ports it is given.
    files: ['packages/server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeBuiltins,
            {
              group: ['ws', 'pino', 'pino-*', 'prom-client', 'ioredis', 'redis'],
              message: 'The chat core uses ports, not libraries.',
            },
            {
              group: ['../transport/*', '../net/*', '../session/*', '../store/*', '../bus/*'],
              message: 'Layers point one way: the core never imports outer layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'setTimeout', 'setInterval', 'Date'],
    },
  },
  {
    // Browser code of the graphical client.
    files: ['packages/client-gui/src/page/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins] }],
    },
  },
  {
    // The native window's script runs in gjs (GNOME's JavaScript), not Node.
    files: ['packages/client-gui/native/**/*.js'],
    languageOptions: { globals: { print: 'readonly', printerr: 'readonly', imports: 'readonly' } },
  },
);
