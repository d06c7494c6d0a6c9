// Small-batch latency of the tensor runtime next to the onnx runtime on the same weights: 12
// `lastHiddenState` calls at batch 1–7 and lengths 9–60 on a MiniLM-shaped BERT, and 4×512 on
// Qwen2-class decoders (the qwen2 fixture, and the real stories260K Llama where ../shared has it).
// Run: tsx bench/small-batch.ts. The first pass is what a one-off run of those batches costs; then
// a second pass (where the tensor runtime's resident graph, started on the second request, is
// waited for) and the best of three warm passes: steady state, what an encode server sees.
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding, exportOnnx, padBatch, TensorRuntime, type TokenBatch } from '../src/index.js';
import { miniLMFolder } from './minilm-folder.js';

const SHAPES: [number, number][] = [1, 2, 3, 4, 5, 6, 7, 1, 3, 5, 7, 2].map((b, i) => [b, 9 + ((i * 17) % 52)]);

function batches(vocab: number, shapes: readonly [number, number][], padId: number): TokenBatch[] {
  return shapes.map(([b, t], s) =>
    padBatch(
      Array.from({ length: b }, (_, r) => {
        const n = Math.max(2, t - r * 3);
        return { ids: Array.from({ length: n }, (_, i) => 1 + ((s * 131 + r * 31 + i * 7) % (vocab - 1))), typeIds: new Array<number>(n).fill(0) };
      }),
      { padId, side: 'right' },
    ),
  );
}

async function time(model: AutoModelForEmbedding, bs: readonly TokenBatch[]): Promise<{ cold: number; warm: number }> {
  const pass = async () => {
    const t0 = performance.now();
    for (const b of bs) await model.runtime.lastHiddenState(b);
    return performance.now() - t0;
  };
  const cold = await pass();
  await pass();
  if (model.runtime instanceof TensorRuntime) await model.runtime.residentSettled();
  let warm = Infinity;
  for (let i = 0; i < 3; i++) warm = Math.min(warm, await pass());
  return { cold, warm };
}

async function compare(label: string, dir: string, bs: readonly TokenBatch[]): Promise<void> {
  const onnxDir = join(tmpdir(), 'retrievals-bench', `${label}-onnx`);
  const tensorModel = await AutoModelForEmbedding.fromPretrained(dir);
  rmSync(onnxDir, { recursive: true, force: true });
  mkdirSync(onnxDir, { recursive: true });
  await exportOnnx(tensorModel, onnxDir);
  const onnxModel = await AutoModelForEmbedding.fromPretrained(onnxDir, { runtime: 'onnx' });
  const t = await time(tensorModel, bs);
  const o = await time(onnxModel, bs);
  console.log(`${label}: tensor runtime ${t.warm.toFixed(0)} ms (first pass ${t.cold.toFixed(0)} ms), onnx runtime ${o.warm.toFixed(0)} ms (first pass ${o.cold.toFixed(0)} ms); tensor/onnx ${(t.warm / o.warm).toFixed(2)}`);
  await tensorModel.dispose();
  await onnxModel.dispose();
}

console.log(`CPU: ${cpus()[0]?.model} × ${cpus().length}`);
const minilm = await miniLMFolder(join(tmpdir(), 'retrievals-bench', 'minilm'));
await compare('MiniLM 12 calls, batch 1–7', minilm, batches(30522, SHAPES, 0));
await compare('Qwen2 fixture 4×512', fixturePath('qwen2-tiny'), batches(512, [[4, 512]], 0));
const stories = join(import.meta.dirname, '../../../../shared/models/stories260K');
if (existsSync(stories)) await compare('stories260K (Llama) 4×512', stories, batches(512, [[4, 512]], 0));
else console.log(`stories260K: skipped, ${stories} not found`);
