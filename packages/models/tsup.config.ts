import { defineConfig } from 'tsup';

export default defineConfig({
  // The tokenizer worker is its own file: a worker thread loads it by URL next to index.js.
  entry: ['src/index.ts', 'src/tokenize-worker.js'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
