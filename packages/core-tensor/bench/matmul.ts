import ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { encodeModel, Generator, matmul, randn, realize } from '../src/index.js';
import { fmt, time } from './util.js';

/** A one-node ONNX MatMul run directly in onnxruntime-node: the ceiling for our lowering. */
async function rawOrt(m: number, k: number, n: number, a: Float32Array, b: Float32Array): Promise<number> {
  const bytes = encodeModel({
    name: 'raw',
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
    inputs: [{ name: 'a', dtype: 'float32', dims: [m, k] }, { name: 'b', dtype: 'float32', dims: [k, n] }],
    outputs: [{ name: 'c', dtype: 'float32', dims: [m, n] }],
    initializers: [],
    opset: 17,
  });
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: availableParallelism(), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const feeds = { a: new ort.Tensor('float32', a, [m, k]), b: new ort.Tensor('float32', b, [k, n]) };
  return time(() => s.run(feeds), { runs: 41 });
}

export async function benchMatmul(): Promise<void> {
  const gen = new Generator(0);
  for (const [m, k, n] of [[1024, 1024, 1024], [4096, 384, 1536]] as const) {
    const a = randn([m, k], gen), b = randn([k, n], gen);
    const ours = await time(() => realize(matmul(a, b)), { runs: 41 });
    const raw = await rawOrt(m, k, n, a.dataSync() as Float32Array, b.dataSync() as Float32Array);
    const gflops = (ms: number) => (2 * m * k * n) / ms / 1e6;
    console.log(
      `matmul ${m}x${k}x${n}: core-tensor ${fmt(ours, 2)} ms = ${fmt(gflops(ours))} GFLOPS | raw onnxruntime ${fmt(raw, 2)} ms = ${fmt(gflops(raw))} GFLOPS | ours/raw ${fmt((100 * gflops(ours)) / gflops(raw))} %`,
    );
  }
}
