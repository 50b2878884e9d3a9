import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('builds for the browser with no Node built-ins, Buffer or process', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      minify: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bnode:|\bBuffer\b|\bprocess\./);
    // Small enough to ship in a page without thought (rooms' commands and texts,
    // reactions and edits included: 81 KB minified when they came, before gzip).
    expect(code.length).toBeLessThan(96_000);
  });
});
