/**
 * NaN or ±Inf never becomes a silent NaN loss. Inputs that hold values are checked when the loss
 * is called; lazy inputs (a model's output inside the training graph) are checked by guards
 * realised in the same run as the step, and checkFinite names the loss and the input.
 */
import { describe, expect, it } from 'vitest';
import { backward, linear, mul, realize, RetrievalsError, SGD, type Tensor } from '@retrievals/core-tensor';
import { checkFinite, finiteGuards, infonce, losses, NonFiniteError, validateLoss, type LossInputs } from '../src/index.js';
import { D, inputsFor, randn } from './helpers/data.js';

const BUILTINS = ['infonce', 'simcse', 'triplet', 'pairwise-hinge', 'pairwise-logistic', 'cosent', 'angle', 'arcface', 'matryoshka', 'kl-distill', 'margin-mse', 'listwise', 'colbert-maxsim', 'cached'];

function poison(t: Tensor, value: number, at = 3): Tensor {
  const copy = randn(t.shape, 0);
  (copy.buffer as Float32Array).set(t.buffer as Float32Array);
  (copy.buffer as Float32Array)[at] = value;
  return copy;
}

const firstField = (inputs: LossInputs) => (inputs.query ? 'query' : 'embeddings') as 'query' | 'embeddings';

describe('an input holding NaN or Inf', () => {
  for (const loss of BUILTINS) {
    it(`${loss}: throws at the call, naming the loss and the field`, () => {
      const { options, inputs } = inputsFor(loss, 4, 3);
      const field = firstField(inputs);
      const make = losses.get(loss)(options);
      const name = loss === 'cached' ? 'infonce' : loss;
      expect(() => make({ ...inputs, [field]: poison(inputs[field]!, NaN) })).toThrow(NonFiniteError);
      expect(() => make({ ...inputs, [field]: poison(inputs[field]!, NaN) })).toThrow(new RegExp(`^${name}: input '${field}' \\[.*\\] holds 1 NaN value`));
      expect(() => make({ ...inputs, [field]: poison(inputs[field]!, -Infinity) })).toThrow(/holds 1 ±Inf value/);
    });
  }

  it('teacher scores and labels are checked too', () => {
    const { inputs } = inputsFor('kl-distill', 4, 3);
    expect(() => losses.get('kl-distill')()({ ...inputs, teacherScores: poison(inputs.teacherScores!, Infinity, 0) })).toThrow(/kl-distill: input 'teacherScores' \[4, 3\] holds 1 ±Inf/);
    const c = inputsFor('cosent', 4, 1);
    expect(() => losses.get('cosent')()({ ...c.inputs, labels: poison(c.inputs.labels!, NaN, 0) })).toThrow(/cosent: input 'labels' \[4\] holds 1 NaN/);
  });
});

describe('a lazy input (inside the training graph)', () => {
  /** A linear "encoder" whose weights hold NaN: its outputs are lazy, so the call cannot see them. */
  function step(bad: boolean) {
    const w = randn([D, D], 9).requiresGrad_();
    if (bad) (w.buffer as Float32Array)[5] = NaN;
    const { inputs } = inputsFor('infonce', 4, 3);
    const loss = infonce()({ query: linear(inputs.query!, w), positive: inputs.positive!, negative: inputs.negative! });
    return { w, loss };
  }

  it('is reported by checkFinite after the one-run optimizer step, with the field', async () => {
    const { w, loss } = step(true);
    expect(finiteGuards(loss)).toHaveLength(1);
    const before = w.buffer;
    const opt = new SGD([w], { lr: 0.1 });
    backward(loss);
    await opt.step(loss, ...finiteGuards(loss));
    expect(() => checkFinite(loss)).toThrow(NonFiniteError);
    expect(() => checkFinite(loss)).toThrow(/^infonce: input 'query' \[4, 8\] holds 4 NaN values/);
    // The optimizer replaces parameter buffers rather than writing into them: putting the old
    // one back undoes the poisoned update (the trainer's skip-the-step recipe, see README).
    expect(w.buffer).not.toBe(before);
    w.buffer = before;
    expect(Number.isNaN((w.buffer as Float32Array)[5])).toBe(true);
  });

  it('passes for finite values, and validateLoss realises and checks in one call', async () => {
    const { w, loss } = step(false);
    const opt = new SGD([w], { lr: 0.1 });
    backward(loss);
    await opt.step(loss, ...finiteGuards(loss));
    expect(() => checkFinite(loss)).not.toThrow();
    expect(Number.isFinite(await validateLoss(step(false).loss))).toBe(true);
    await expect(validateLoss(step(true).loss)).rejects.toThrow(/infonce: input 'query'/);
  });

  it('says so when the guards were not realised with the loss', async () => {
    const { loss } = step(false);
    await realize(loss);
    expect(() => checkFinite(loss)).toThrow(RetrievalsError);
    expect(() => checkFinite(loss)).toThrow(/finite guards of the infonce loss were not realised with it/);
  });
});

it('an overflow inside the loss with finite inputs is reported as such', async () => {
  const { inputs } = inputsFor('infonce', 4, 3);
  const huge = (t: Tensor) => mul(randn(t.shape, 2), 1e20);
  const loss = infonce({ similarity: 'dot', temperature: 1 })({ query: huge(inputs.query!), positive: huge(inputs.positive!) });
  await expect(validateLoss(loss)).rejects.toThrow(/infonce: the loss is (NaN|Infinity) although every input is finite/);
});
