// One benchmark case in its own process (spawned by encode.ts), so that peak RSS is this runtime's
// alone. Usage: tsx bench/case.ts <case> <model dir> <threads>. Prints one JSON line.
import { basename, dirname } from 'node:path';
import { AutoModelForEmbedding } from '../src/index.js';
import { benchTexts } from './texts.js';

export const CASES = ['tensor', 'onnx', 'onnx-int8', 'transformers.js', 'transformers.js-int8'] as const;
export type CaseName = (typeof CASES)[number];
export const BATCH_SIZE = 32;
const WARM_PASSES = 2;
/** Rows whose embeddings come back to the parent, to check every case computes the same thing. */
export const SAMPLE_ROWS = [0, 499, 999, 1499, 1999];

export interface CaseResult {
  name: CaseName;
  loadMs: number;
  /** First pass over all texts (the tensor runtime compiles its graphs here), then the best warm pass. */
  coldMs: number;
  warmMs: number;
  peakRssMB: number;
  sample: number[][];
}

type Encoder = { encode(texts: string[]): Promise<Float32Array>; dim: number };

async function ours(dir: string, name: CaseName): Promise<Encoder> {
  const runtime = name === 'tensor' ? {} : { runtime: 'onnx', onnxFile: name === 'onnx-int8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx' };
  const model = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', normalize: true, batchSize: BATCH_SIZE, ...runtime });
  return { dim: 384, encode: async (texts) => (await model.encode(texts)).data as Float32Array };
}

/** transformers.js' feature-extraction pipeline on the same ONNX files, local only, batches of 32 in the given order. */
async function transformersJs(dir: string, threads: number, quantized: boolean): Promise<Encoder> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = dirname(dir);
  const extractor = await pipeline('feature-extraction', basename(dir), {
    dtype: quantized ? 'q8' : 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' },
  });
  return {
    dim: 384,
    encode: async (texts) => {
      const out = new Float32Array(texts.length * 384);
      for (let i = 0; i < texts.length; i += BATCH_SIZE) {
        const e = await extractor(texts.slice(i, i + BATCH_SIZE), { pooling: 'mean', normalize: true });
        out.set(e.data as Float32Array, i * 384);
      }
      return out;
    },
  };
}

async function main(): Promise<void> {
  const [name, dir, threadsArg] = process.argv.slice(2) as [CaseName, string, string];
  if (!CASES.includes(name)) throw new Error(`unknown case '${name}'; known: ${CASES.join(', ')}`);
  const texts = benchTexts(dir);
  const t0 = performance.now();
  const encoder = name.startsWith('transformers.js') ? await transformersJs(dir, Number(threadsArg), name.endsWith('int8')) : await ours(dir, name);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  await encoder.encode(texts);
  const coldMs = performance.now() - t1;
  // The best of two warm passes: other processes on a 2-core machine only ever slow a pass down.
  let warmMs = Infinity, e: Float32Array = new Float32Array();
  for (let pass = 0; pass < WARM_PASSES; pass++) {
    const t2 = performance.now();
    e = await encoder.encode(texts);
    warmMs = Math.min(warmMs, performance.now() - t2);
  }
  const sample = SAMPLE_ROWS.map((r) => Array.from(e.subarray(r * encoder.dim, (r + 1) * encoder.dim)));
  const result: CaseResult = { name, loadMs, coldMs, warmMs, peakRssMB: process.resourceUsage().maxRSS / 1024, sample };
  console.log(JSON.stringify(result));
  process.exit(0); // transformers.js / ort keep handles open
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) await main();
