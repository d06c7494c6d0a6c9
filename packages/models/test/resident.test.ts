import { backends, noGrad, realize, type Backend } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, TensorRuntime } from '../src/index.js';
import { maxAbsDiff } from './helpers/refs.js';

const TEXTS = ['hello there', 'a second, longer text with more words in it', 'short', 'one more text of middling length', 'x'];
const stats = () => (backends.get('ort') as Backend & { stats: { compiles: number; cacheHits: number } }).stats;
const compiles = () => stats().compiles;
/** Per-shape runs: each is a compile or a hit of the program cache; a resident run is neither. */
const perShapeRuns = () => stats().compiles + stats().cacheHits;

/** Embeddings through the per-shape path: the training forward, realised like any graph. */
async function perShape(m: AutoModelForEmbedding, texts: string[], normalize: boolean): Promise<Float32Array> {
  const e = noGrad(() => m.forward(m.tokenize(texts), { normalize }));
  await realize(e);
  return e.dataSync() as Float32Array;
}

describe('resident inference graphs (tensor runtime on ort)', () => {
  for (const name of ['bert-tiny', 'xlmr-tiny', 'llama-tiny', 'qwen2-tiny'] as const) {
    it(`${name}: one compile serves every batch shape, with the per-shape path's embeddings`, async () => {
      const m = await AutoModelForEmbedding.fromPretrained(fixturePath(name), { normalize: true });
      await m.encode(['warm']);
      await m.encode(['warm again']); // the second request compiles the resident graph
      await (m.runtime as TensorRuntime).residentSettled();
      const before = compiles();
      for (let n = 1; n <= TEXTS.length; n++) {
        const got = (await m.encode(TEXTS.slice(0, n), { batchSize: 8 })).data as Float32Array;
        expect(maxAbsDiff(got, await perShape(m, TEXTS.slice(0, n), true))).toBeLessThan(2e-6);
      }
      // The per-shape reference itself compiles one program per shape; the resident graph compiled no new one.
      const perShapeCompiles = compiles() - before;
      const again = perShapeRuns();
      for (let n = 1; n <= TEXTS.length; n++) await m.encode(TEXTS.slice(0, n), { batchSize: 8 });
      expect(perShapeRuns() - again).toBe(0);
      expect(perShapeCompiles).toBeGreaterThan(0);
    });
  }

  it('recompiles when the weights or the module tree change, and never serves stale weights', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const runtime = m.runtime as TensorRuntime;
    const encodeResident = async () => {
      await m.encode(TEXTS);
      await m.encode(TEXTS);
      await runtime.residentSettled();
      const before = perShapeRuns();
      const out = (await m.encode(TEXTS)).data as Float32Array;
      expect(perShapeRuns()).toBe(before); // served by the resident graph
      return out;
    };
    const before = await encodeResident();
    const w = m.backbone!.namedParameters().get('encoder.layer.0.attention.self.query.weight')!;
    const old = w.buffer!;
    w.buffer = Float32Array.from(old as Float32Array, (v) => v * 3);
    const after = await encodeResident();
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(after, await perShape(m, TEXTS, false))).toBeLessThan(2e-6);
    w.buffer = old;
    expect(maxAbsDiff(await encodeResident(), before)).toBe(0);
  });

  it('leaves training mode (dropout) to the per-shape path', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const evalOut = (await m.encode(TEXTS)).data as Float32Array;
    m.backbone!.train();
    const first = (await m.encode(TEXTS)).data as Float32Array;
    const second = (await m.encode(TEXTS)).data as Float32Array;
    m.backbone!.eval();
    // Fresh dropout masks on every call: a graph compiled once would have frozen one mask.
    expect(maxAbsDiff(evalOut, first)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff((await m.encode(TEXTS)).data as Float32Array, evalOut)).toBe(0);
  });
});
