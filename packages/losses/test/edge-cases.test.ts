/**
 * The edges a training run meets: a last batch of one, a train group of one (no negatives), a
 * CoSENT batch whose labels are all equal. Each either gives a finite loss with a finite gradient
 * or refuses with an error that names the loss and the missing input; never a silent NaN.
 */
import { describe, expect, it } from 'vitest';
import { backward, realize, type Tensor } from '@retrievals/core-tensor';
import { cosent, infonce, LossInputError, losses, validateLoss, type LossInputs } from '../src/index.js';
import { D, floats, inputsFor, randn } from './helpers/data.js';

const BUILTINS = ['infonce', 'simcse', 'triplet', 'pairwise-hinge', 'pairwise-logistic', 'cosent', 'angle', 'arcface', 'matryoshka', 'kl-distill', 'margin-mse', 'listwise', 'colbert-maxsim', 'cached'];

/** Loss value and gradients of every float input (made trainable), in one run. */
async function valueAndGrads(loss: string, options: Record<string, unknown>, inputs: LossInputs): Promise<{ value: number; grads: number[] }> {
  const leaves = Object.values(inputs).filter((t): t is Tensor => typeof t === 'object' && t.dtype === 'float32' && t.node === undefined);
  for (const t of leaves) if (!['labels', 'teacherScores'].some((k) => inputs[k as keyof LossInputs] === t)) t.requiresGrad_();
  const l = losses.get(loss)(options)(inputs);
  backward(l);
  const grads = leaves.map((t) => t.grad).filter((g): g is Tensor => g !== undefined);
  await realize(l, ...grads);
  const value = await validateLoss(l);
  return { value, grads: grads.flatMap((g) => Array.from(g.dataSync() as Float32Array)) };
}

describe('a batch of one', () => {
  for (const loss of BUILTINS) {
    it(`${loss}: finite loss and gradient`, async () => {
      const { options, inputs } = inputsFor(loss, 1, 3);
      // A single query has no other document in the batch; triplet's default contrasts its own group.
      const { value, grads } = await valueAndGrads(loss, options, inputs);
      expect(Number.isFinite(value)).toBe(true);
      expect(grads.length).toBeGreaterThan(0);
      expect(grads.every(Number.isFinite)).toBe(true);
    });
  }
});

describe('G = 1: no negatives', () => {
  // In-batch losses still have the batch's other positives; the rest cannot work and say so.
  const works = ['infonce', 'simcse', 'colbert-maxsim', 'matryoshka', 'cached', 'cosent', 'angle', 'arcface'];
  const refuses: Record<string, RegExp> = {
    triplet: /triplet: input 'negative' .* is required: each query needs its own negatives \(or set useInbatchNegative\)/,
    'pairwise-hinge': /pairwise-hinge: input 'negative' is required/,
    'pairwise-logistic': /pairwise-logistic: input 'negative' is required/,
    'kl-distill': /kl-distill: input 'negative' .* is required: a distribution over one document per query carries nothing to distil/,
    'margin-mse': /margin-mse: input 'negative' .* is required: a margin needs a negative/,
    listwise: /listwise: input 'negative' .* is required: a list of one document has nothing to rank/,
  };
  for (const loss of works) {
    it(`${loss} works on the batch's other documents`, async () => {
      const { options, inputs } = inputsFor(loss, 4, 1);
      const { value } = await valueAndGrads(loss, options, inputs);
      expect(value).toBeGreaterThan(0);
    });
  }
  for (const [loss, message] of Object.entries(refuses)) {
    it(`${loss} refuses, naming the input`, () => {
      const { options, inputs } = inputsFor(loss, 4, 1);
      if (loss === 'kl-distill' || loss === 'margin-mse') inputs.teacherScores = randn([4, 1], 5);
      if (loss === 'listwise') inputs.labels = floats([1, 2, 3, 0], [4, 1]);
      expect(() => losses.get(loss)(options)(inputs)).toThrow(LossInputError);
      expect(() => losses.get(loss)(options)(inputs)).toThrow(message);
    });
  }
  it('infonce without in-batch negatives refuses G = 1', () => {
    const { inputs } = inputsFor('infonce', 4, 1);
    expect(() => infonce({ useInbatchNegative: false })(inputs)).toThrow(/infonce: input 'negative' .* is required: with useInbatchNegative false/);
  });
  it('a negative with zero rows is the same as none', async () => {
    const { inputs } = inputsFor('infonce', 4, 1);
    const none = await validateLoss(infonce()(inputs));
    const empty = await validateLoss(infonce()({ ...inputs, negative: randn([0, D], 1) }));
    expect(empty).toBe(none);
  });
  it('triplet in-batch with one query and no negatives has nothing to compare', () => {
    const { inputs } = inputsFor('triplet', 1, 1);
    expect(() => losses.get('triplet')({ useInbatchNegative: true })(inputs)).toThrow(/triplet: a batch of one query without 'negative'/);
  });
});

describe('cosent with all labels equal', () => {
  it('is exactly 0 with an exactly zero gradient, not NaN', async () => {
    const q = randn([5, D], 3).requiresGrad_(), p = randn([5, D], 4).requiresGrad_();
    const l = cosent()({ query: q, positive: p, labels: floats([0.7, 0.7, 0.7, 0.7, 0.7]) });
    backward(l);
    await realize(l, q.grad!, p.grad!);
    expect(await validateLoss(l)).toBe(0);
    expect([...q.grad!.dataSync(), ...p.grad!.dataSync()].every((g) => g === 0)).toBe(true);
  });
});
