/**
 * GradCache exactness: on a small trainable "encoder" (a linear layer and tanh over fixed input
 * rows), the cached loss's value and the encoder's (and the loss's own) parameter gradients equal
 * those of the plain loss over the whole batch; on js in float64 to rounding, on ort in float32.
 */
import { describe, expect, it } from 'vitest';
import { add, backward, gather, linear, realize, tanh, withBackend, type Tensor } from '@retrievals/core-tensor';
import { cached, losses, type CachedBatch, type EmbeddingField, type LossInputs, type LossSpec } from '../src/index.js';
import { ints, randn } from './helpers/data.js';

const IN = 6, D = 8;

function encoder(dtype: 'float32' | 'float64', seed: number) {
  const W = randn([D, IN], seed, dtype).requiresGrad_();
  const rows = randn([40, IN], seed + 1, dtype);
  let calls = 0;
  const encode = (chunk: readonly unknown[]) => {
    calls++;
    return tanh(linear(gather(rows, ints(chunk as number[]), 0), W));
  };
  return { W, encode, calls: () => calls };
}

const ids = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

interface Setup {
  loss: LossSpec;
  /** Items per embedding field (row ids of the encoder's input). */
  fields: Partial<Record<EmbeddingField, number[]>>;
  extras?: (dtype: 'float32' | 'float64') => Omit<LossInputs, EmbeddingField>;
}

async function compare(setup: Setup, backend: 'js' | 'ort', chunkSize: number) {
  const dtype = backend === 'js' ? 'float64' : 'float32';
  return withBackend(backend, async () => {
    // Uncached: every embedding in one graph.
    const a = encoder(dtype, 11);
    const lossA = cached({ loss: setup.loss, chunkSize });
    const embedded = Object.fromEntries(Object.entries(setup.fields).map(([f, items]) => [f, a.encode(items)]));
    const plain = lossA.inner({ ...setup.extras?.(dtype), ...embedded });
    backward(plain);
    const paramsA = [a.W, ...lossA.parameters()];
    await realize(plain, ...paramsA.map((p) => p.grad!));

    // Cached: the same weights, chunk by chunk.
    const b = encoder(dtype, 11);
    const lossB = cached({ loss: setup.loss, chunkSize });
    const batch = Object.fromEntries(Object.entries(setup.fields).map(([f, items]) => [f, { items, encode: b.encode }])) as CachedBatch;
    const value = await lossB.backward({ ...setup.extras?.(dtype), ...batch }, [b.W]);
    const paramsB = [b.W, ...lossB.parameters()];

    const v = (t: Tensor) => Array.from(t.dataSync(), Number);
    const gradError = paramsA.reduce((worst, p, i) => {
      const ga = v(p.grad!), gb = v(paramsB[i]!.grad!);
      return Math.max(worst, ...ga.map((g, j) => Math.abs(g - gb[j]!) / (1 + Math.abs(g))));
    }, 0);
    const gradScale = Math.max(...paramsA.flatMap((p) => v(p.grad!).map(Math.abs)));
    return { plain: v(plain)[0]!, cached: v(value)[0]!, gradError, gradScale, calls: b.calls() };
  });
}

const mnrl: Setup = { loss: 'infonce', fields: { query: ids(0, 7), positive: ids(7, 7), negative: ids(14, 14) } };

describe('cached (GradCache) equals the uncached loss', () => {
  it('infonce with hard negatives (cached multiple-negatives ranking), uneven chunks, js float64', async () => {
    const r = await compare(mnrl, 'js', 3);
    expect(r.cached).toBe(r.plain);
    expect(r.gradScale).toBeGreaterThan(1e-3);
    expect(r.gradError).toBeLessThan(1e-13);
    // 3 + 3 + 5 chunks, each embedded twice.
    expect(r.calls).toBe(22);
  });

  it('the same on ort in float32', async () => {
    const r = await compare(mnrl, 'ort', 4);
    expect(Math.abs(r.cached - r.plain)).toBeLessThan(1e-5);
    expect(r.gradError).toBeLessThan(1e-5);
  });

  it('a chunk as large as the batch', async () => {
    const r = await compare(mnrl, 'js', 64);
    expect(r.gradError).toBeLessThan(1e-13);
  });

  it('a loss with its own parameters (arcface class centres) and labels passed through', async () => {
    const setup: Setup = {
      loss: { name: 'arcface', inFeatures: D, outFeatures: 4, seed: 3 },
      fields: { embeddings: ids(0, 9) },
      extras: () => ({ labels: ints([0, 1, 2, 3, 0, 1, 2, 3, 1]) }),
    };
    const r = await compare(setup, 'js', 2);
    expect(r.cached).toBe(r.plain);
    expect(r.gradError).toBeLessThan(1e-13);
  });

  it('matryoshka inside cached (cached multiple-negatives ranking at nested dims)', async () => {
    const setup: Setup = { loss: { name: 'matryoshka', loss: 'infonce', dims: [8, 4, 2], weights: [1, 1, 0.5] }, fields: mnrl.fields };
    const r = await compare(setup, 'js', 3);
    expect(r.cached).toBe(r.plain);
    expect(r.gradError).toBeLessThan(1e-13);
  });

  it('distillation with teacher scores passed through', async () => {
    const setup: Setup = {
      loss: { name: 'kl-distill', temperature: 0.1 },
      fields: { query: ids(0, 5), positive: ids(5, 5), negative: ids(10, 10) },
      extras: (dtype) => ({ teacherScores: randn([5, 3], 4, dtype) }),
    };
    const r = await compare(setup, 'js', 2);
    expect(r.gradError).toBeLessThan(1e-13);
  });
});

describe('cached', () => {
  it('is registered; by default it is cached multiple-negatives ranking with chunks of 32', () => {
    const loss = losses.get('cached')() as ReturnType<typeof cached>;
    expect(loss.name).toBe('cached');
    expect(loss.inner.name).toBe('infonce');
    expect(loss.chunkSize).toBe(32);
    expect(losses.get('gradcache')({ chunkSize: 8 }).name).toBe('cached');
  });

  it('called with embeddings it is the wrapped loss', async () => {
    const q = randn([3, D], 1), p = randn([3, D], 2);
    const a = await cached({ loss: { name: 'infonce', temperature: 0.1 } })({ query: q, positive: p }).data();
    const b = await losses.get('infonce')({ temperature: 0.1 })({ query: q, positive: p }).data();
    expect(a[0]).toBe(b[0]);
  });

  it('refuses an encode that gives different values in the second pass (fresh dropout)', async () => {
    const e = encoder('float64', 5);
    let pass = 0;
    const noisy = (chunk: readonly unknown[]) => {
      const out = e.encode(chunk);
      return pass++ < 4 ? out : add(out, 0.5);
    };
    const batch = { query: { items: ids(0, 4), encode: noisy }, positive: { items: ids(4, 4), encode: noisy } };
    await withBackend('js', async () => {
      await expect(cached({ chunkSize: 2 }).backward(batch, [e.W])).rejects.toThrow(
        /cached: encode gave different embeddings for 'query' chunk 0 in the second pass .*: it must be deterministic per chunk/,
      );
    });
  });

  it('checks what encode returns', async () => {
    const bad = { items: [1, 2, 3], encode: () => randn([2, D], 1) };
    await expect(cached({ chunkSize: 3 }).backward({ query: bad, positive: bad }, [])).rejects.toThrow(
      "cached: encode for 'query' must return a Tensor with one row per item (3), got [2, 8]",
    );
  });
});
