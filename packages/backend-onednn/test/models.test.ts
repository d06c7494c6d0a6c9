/**
 * Whole models on onednn: hidden states of the fixtures (bert-tiny, llama-tiny) and an AdamW step
 * agree with ort in fp32; bf16 embeddings stay within cosine 0.999 of fp32 on the fixtures and on
 * the real stories260K checkpoint (../shared/models, where present).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdamW, backward, mean, mul, Tensor, withBackend } from '@retrievals/core-tensor';
import { fixturesDir } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { expect, it } from 'vitest';
import { describeOnednn, install } from './helpers/setup.js';

const TEXTS = ['the quick brown fox jumps over the lazy dog', 'hello world', 'a much longer sentence with several more words in it than the others'];
const STORIES = resolve(import.meta.dirname, '../../../../shared/models/stories260K');

async function hidden(dir: string, backend: string): Promise<{ values: Float32Array; shape: number[] }> {
  await install();
  const model = await AutoModelForEmbedding.fromPretrained(dir, { backend });
  const h = await withBackend(backend, () => model.lastHiddenState(model.tokenize(TEXTS)));
  return { values: h.dataSync() as Float32Array, shape: [...h.shape] };
}

async function embeddings(dir: string, backend: string): Promise<Float32Array[]> {
  await install();
  const model = await AutoModelForEmbedding.fromPretrained(dir, { backend });
  const rows = await withBackend(backend, () => model.encode(TEXTS, { normalize: false }));
  return [...rows] as Float32Array[];
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) ((ab += a[i]! * b[i]!), (aa += a[i]! * a[i]!), (bb += b[i]! * b[i]!));
  return ab / Math.sqrt(aa * bb);
};

/** max |a − b| / max |b|: one figure for a whole hidden-state tensor. */
const relError = (a: Float32Array, b: Float32Array) => {
  let err = 0, scale = 0;
  for (let i = 0; i < b.length; i++) ((err = Math.max(err, Math.abs(a[i]! - b[i]!))), (scale = Math.max(scale, Math.abs(b[i]!))));
  return err / scale;
};

describeOnednn('models on onednn', () => {
  for (const name of ['bert-tiny', 'llama-tiny']) {
    it(`${name}: fp32 hidden states agree with ort (1e-5 of the largest value); bf16 embeddings cosine ≥ 0.999`, async () => {
      const dir = join(fixturesDir(), name);
      const ort = await hidden(dir, 'ort'), dnn = await hidden(dir, 'onednn');
      expect(dnn.shape).toEqual(ort.shape);
      expect(relError(dnn.values, ort.values)).toBeLessThan(1e-5);
      const f32 = await embeddings(dir, 'onednn'), bf16 = await embeddings(dir, 'onednn-bf16');
      f32.forEach((row, i) => expect(cosine(bf16[i]!, row), `text ${i}`).toBeGreaterThanOrEqual(0.999));
    });
  }

  it.runIf(existsSync(join(STORIES, 'model.safetensors')))('stories260K: fp32 agrees with ort; bf16 embeddings cosine ≥ 0.999 to fp32', async () => {
    const ort = await hidden(STORIES, 'ort'), dnn = await hidden(STORIES, 'onednn');
    expect(relError(dnn.values, ort.values)).toBeLessThan(1e-5);
    const f32 = await embeddings(STORIES, 'onednn'), bf16 = await embeddings(STORIES, 'onednn-bf16');
    f32.forEach((row, i) => expect(cosine(bf16[i]!, row), `text ${i}`).toBeGreaterThanOrEqual(0.999));
  });

  it('an AdamW step on bert-tiny gives the same parameters as on ort (fp32)', async () => {
    await install();
    const dir = join(fixturesDir(), 'bert-tiny');
    const after = async (backend: string) => {
      const model = await AutoModelForEmbedding.fromPretrained(dir, { backend });
      model.backbone!.requiresGrad_(true);
      const params = model.parameters();
      // eps 1e-3: with torch's 1e-8 the first steps move each weight by ±lr whatever its gradient's
      // size, so a gradient of 1e-9 rounding differently flips a whole lr (ort and js differ by 2 %
      // of the largest weight that way); a large eps makes the update track the gradient.
      const opt = new AdamW(params, { lr: 1e-2, eps: 1e-3, weightDecay: 0.01 });
      await withBackend(backend, async () => {
        for (let s = 0; s < 2; s++) {
          const e = model.forward(model.tokenize(TEXTS));
          const loss = mean(mul(e, e));
          backward(loss);
          await opt.step(loss);
        }
      });
      return params.map((p: Tensor) => p.dataSync() as Float32Array);
    };
    const ort = await after('ort'), dnn = await after('onednn');
    ort.forEach((p, i) => expect(relError(dnn[i]!, p), `parameter ${i}`).toBeLessThan(1e-5));
  });
});
