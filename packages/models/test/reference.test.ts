import { realize } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { getPooler } from '@retrievals/pooling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, finishEmbeddings } from '../src/index.js';
import { cleanupFolders, distilbertFolder, onnxOnlyFolder } from './helpers/folders.js';
import { loadRef, maxAbsDiff, unpadded, type ModelRef } from './helpers/refs.js';

// The bar: hidden states and pooled embeddings within 1e-4 of PyTorch (float32), on every runtime,
// for right-padded encoder batches and left- and right-padded decoder batches.
const TOL = 1e-4;
const POOLERS = ['cls', 'mean', 'last', 'weightedmean', 'max', 'mean_sqrt_len'];

const CASES: { ref: string; folder: () => string }[] = [
  { ref: 'bert-tiny', folder: () => fixturePath('bert-tiny') },
  { ref: 'xlmr-tiny', folder: () => fixturePath('xlmr-tiny') },
  { ref: 'distilbert-tiny', folder: distilbertFolder },
  { ref: 'llama-tiny', folder: () => fixturePath('llama-tiny') },
  { ref: 'qwen2-tiny', folder: () => fixturePath('qwen2-tiny') },
];
type RuntimeCase = 'tensor (ort)' | 'tensor (js)' | 'onnx';
const RUNTIMES: RuntimeCase[] = ['tensor (ort)', 'tensor (js)', 'onnx'];

/** Measured deviations, printed at the end (they go into the package README). */
const deviations: Record<string, Record<string, number>> = {};

afterAll(() => {
  console.log('max |ours − torch| per fixture / runtime (hidden, pooled):');
  console.table(Object.fromEntries(Object.entries(deviations).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([c, d]) => [c, d.toExponential(1)]))])));
  cleanupFolders();
});

async function load(c: (typeof CASES)[number], ref: ModelRef, runtime: RuntimeCase): Promise<AutoModelForEmbedding> {
  const dir = c.folder();
  if (runtime === 'onnx') {
    const longest = Math.max(...ref.batches[0]!.attention_mask.map((r) => r.reduce((a, b) => a + b, 0)));
    return AutoModelForEmbedding.fromPretrained(await onnxOnlyFolder(dir, ref.texts.length, Math.ceil(longest / 8) * 8));
  }
  return AutoModelForEmbedding.fromPretrained(dir, { backend: runtime === 'tensor (js)' ? 'js' : 'ort' });
}

for (const c of CASES) {
  describe(`${c.ref} against PyTorch`, () => {
    const ref = loadRef(c.ref);
    const decoder = ref.family === 'llama';
    for (const runtime of RUNTIMES) {
      describe(runtime, () => {
        let model: AutoModelForEmbedding;
        beforeAll(async () => {
          model = await load(c, ref, runtime);
          expect(model.runtime.name).toBe(runtime === 'onnx' ? 'onnx' : 'tensor');
        });
        afterAll(() => model?.dispose());

        for (const rb of ref.batches) {
          it(`${rb.padding_side}-padded batch: token ids, last hidden states and every pooler`, async () => {
            const [b, tRef, h] = rb.shape;
            const batch = model.tokenize(ref.texts, { paddingSide: rb.padding_side });
            const t = batch.inputIds.shape[1]!;
            expect(t % 8).toBe(0); // bucketed
            const ids = unpadded(batch.inputIds.dataSync() as BigInt64Array, batch.attentionMask.dataSync() as BigInt64Array, b, t);
            expect(ids).toEqual(unpadded(rb.input_ids.flat(), rb.attention_mask.flat(), b, tRef));

            const hidden = await model.lastHiddenState(batch);
            const ours = hidden.dataSync() as Float32Array;
            const mask = batch.attentionMask.dataSync() as BigInt64Array;
            let dh = 0;
            for (let r = 0; r < b; r++) {
              const mine = [...Array(t).keys()].filter((i) => mask[r * t + i] === 1n);
              const theirs = [...Array(tRef).keys()].filter((i) => rb.attention_mask[r]![i] === 1);
              // Encoders' padding rows are well defined (they attend to the real tokens): compare them too.
              if (!decoder && rb.padding_side === 'right') for (let i = mine.length; i < tRef; i++) mine.push(i), theirs.push(i);
              mine.forEach((p, k) => {
                const q = theirs[k]!;
                dh = Math.max(dh, maxAbsDiff(ours.subarray((r * t + p) * h, (r * t + p + 1) * h), rb.last_hidden_state.slice((r * tRef + q) * h, (r * tRef + q + 1) * h)));
              });
            }
            let dp = 0;
            const pooled = POOLERS.map((name) => finishEmbeddings(hidden, batch.attentionMask, { pooler: getPooler(name), normalize: false }));
            await realize(...pooled);
            POOLERS.forEach((name, i) => (dp = Math.max(dp, maxAbsDiff(pooled[i]!.dataSync() as Float32Array, rb.pooled[name]!))));
            (deviations[`${c.ref} ${rb.padding_side}`] ??= {})[`${runtime} hidden`] = dh;
            deviations[`${c.ref} ${rb.padding_side}`]![`${runtime} pooled`] = dp;
            expect(dh).toBeLessThan(TOL);
            expect(dp).toBeLessThan(TOL);
          });
        }

        it(`encode() through sorting, batching and bucketing gives the reference ${decoder ? 'last-token' : 'CLS'} embeddings in input order`, async () => {
          const e = await model.encode(ref.texts, { batchSize: 3 });
          expect(e.dims).toEqual([ref.texts.length, 32]);
          const method = decoder ? 'last' : 'cls';
          expect(model.poolingMethod).toBe(method);
          expect(maxAbsDiff(e.data as Float32Array, ref.batches[0]!.pooled[method]!)).toBeLessThan(TOL);
        });
      });
    }
  });
}
