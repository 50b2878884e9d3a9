import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The launcher (Node).
    entry: {
      cli: 'src/cli.ts',
      index: 'src/index.ts',
      'page-worker': 'src/launcher/page-worker.ts',
    },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: false,
    removeNodeProtocol: false,
  },
  {
    // The page (browsers): one small script, styles and HTML beside it.
    entry: { app: 'src/page/main.tsx' },
    outDir: 'dist/page',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    tsconfig: 'src/page/tsconfig.json',
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    clean: true,
    publicDir: 'src/page/public',
  },
]);
