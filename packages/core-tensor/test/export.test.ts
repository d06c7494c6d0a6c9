import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel, exportGraph, quantizeMatMulsInt8, Generator, linear, randn, tensor, type Tensor, softmax, matmul, layerNorm, gelu } from '../src/index.js';

const gen = new Generator(9);
const H = 8, NH = 2;
const w = { q: randn([H, H], gen, 0.3), k: randn([H, H], gen, 0.3), o: randn([4, H], gen, 0.3), b: randn([4], gen, 0.1), emb: randn([20, H], gen) };

/** A small attention-like model whose shapes depend on batch and sequence in several ways. */
function model([ids, mask]: Tensor[]): Tensor[] {
  const [B, T] = ids!.shape as [number, number];
  const x = layerNorm(w.emb.gather(ids!, 0));
  const heads = (t: Tensor) => t.reshape([B, T, NH, H / NH]).permute([0, 2, 1, 3]);
  const q = heads(linear(x, w.q)), k = heads(linear(x, w.k));
  const bias = mask!.cast('float32').sub(1).mul(1e4).reshape([B, 1, 1, T]);
  const att = softmax(matmul(q, k.transpose()).add(bias));
  const ctx = matmul(att, q).permute([0, 2, 1, 3]).reshape([B * T, H]);
  const out = gelu(linear(ctx, w.o, w.b)).reshape([B, T, 4]);
  return [out, out.mean(1)];
}

describe('exportGraph', () => {
  it('exports one graph with dynamic batch and sequence axes that matches the traced ops at new sizes', async () => {
    const graph = exportGraph({
      inputs: [
        { name: 'input_ids', dtype: 'int64', dims: ['batch', 'sequence'] },
        { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'sequence'] },
      ],
      outputNames: ['last_hidden_state', 'pooled'],
      build: model,
      weights: new Map(Object.entries(w)),
    });
    expect(graph.inputs.map((i) => i.dims)).toEqual([['batch', 'sequence'], ['batch', 'sequence']]);
    expect(graph.outputs.map((o) => o.dims)).toEqual([['batch', 'sequence', 4], ['batch', 4]]);
    expect(graph.initializers.map((i) => i.name)).toEqual(expect.arrayContaining(['q', 'k', 'o', 'b', 'emb']));
    const session = await ort.InferenceSession.create(encodeModel(graph));
    for (const [B, T] of [[1, 3], [4, 9]] as const) {
      const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt((i * 7) % 20));
      const mask = BigInt64Array.from({ length: B * T }, (_, i) => (i % T < T - (i % 2) ? 1n : 0n));
      const got = await session.run({ input_ids: new ort.Tensor('int64', ids, [B, T]), attention_mask: new ort.Tensor('int64', mask, [B, T]) });
      const [out, pooled] = model([tensor(ids, [B, T], 'int64'), tensor(mask, [B, T], 'int64')]);
      const want = await out!.toArray(), wantPooled = await pooled!.toArray();
      expect(got.last_hidden_state!.dims).toEqual([B, T, 4]);
      const a = Array.from(got.last_hidden_state!.data as Float32Array), p = Array.from(got.pooled!.data as Float32Array);
      a.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
      p.forEach((v, i) => expect(v).toBeCloseTo(wantPooled[i]!, 5));
    }
  });

  it('refuses a function that reads input data or branches on sizes', () => {
    const spec = (build: (xs: Tensor[]) => Tensor[]) => ({ inputs: [{ name: 'x', dtype: 'float32' as const, dims: ['batch', 3] }], outputNames: ['y'], build });
    expect(() => exportGraph(spec(([x]) => [x!.shape[0]! > 6 ? x!.exp() : x!.neg()]))).toThrow(/changes with the input sizes/);
    expect(() => exportGraph(spec(([x]) => [x!.mul(tensor(Float32Array.from({ length: x!.shape[0]! * 3 }, (_, i) => i), [x!.shape[0]!, 3]))]))).toThrow(/changes with the input sizes|another shape/);
  });
});

describe('quantizeMatMulsInt8', () => {
  it('quantizes constant-weight MatMuls and keeps the outputs close (cosine ≥ 0.99)', async () => {
    const spec = {
      inputs: [
        { name: 'input_ids', dtype: 'int64' as const, dims: ['batch', 'sequence'] },
        { name: 'attention_mask', dtype: 'int64' as const, dims: ['batch', 'sequence'] },
      ],
      outputNames: ['last_hidden_state', 'pooled'],
      build: model,
      weights: new Map(Object.entries(w)),
    };
    const graph = exportGraph(spec);
    const q = quantizeMatMulsInt8(graph);
    expect(q.nodes.filter((n) => n.op === 'MatMulInteger')).toHaveLength(3);
    expect(q.initializers.some((i) => i.name === 'q')).toBe(false);
    const [fs, qs] = await Promise.all([graph, q].map((g) => ort.InferenceSession.create(encodeModel(g))));
    const B = 3, T = 6;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: B * T }, (_, i) => BigInt((i * 5) % 20)), [B, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(B * T).fill(1n), [B, T]),
    };
    const a = (await fs!.run(feeds)).pooled!.data as Float32Array, b = (await qs!.run(feeds)).pooled!.data as Float32Array;
    for (let r = 0; r < B; r++) {
      let dot = 0, na = 0, nb = 0;
      for (let j = 0; j < 4; j++) {
        dot += a[r * 4 + j]! * b[r * 4 + j]!;
        na += a[r * 4 + j]! ** 2;
        nb += b[r * 4 + j]! ** 2;
      }
      expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.99);
    }
  });
});
