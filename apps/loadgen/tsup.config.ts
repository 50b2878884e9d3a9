import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/bench.ts', 'src/peers/socketio-server.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  clean: true,
  removeNodeProtocol: false,
});
