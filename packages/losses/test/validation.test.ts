/**
 * Configuration and input mistakes fail at once with a message that names the loss, the option or
 * input field, what was expected and what was given.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '@retrievals/core-tensor';
import { arcface, infonce, LossInputError, LossOptionError, losses, matryoshka, triplet } from '../src/index.js';
import { D, floats, inputsFor, ints, randn } from './helpers/data.js';

describe('options', () => {
  it('rejects an unknown option and lists the known ones', () => {
    expect(() => losses.get('infonce')({ temprature: 0.02 })).toThrow(LossOptionError);
    expect(() => losses.get('infonce')({ temprature: 0.02 })).toThrow(
      "infonce: unknown option 'temprature'; known: temperature, useInbatchNegative, symmetric, labelSmoothing, similarity",
    );
  });
  it('checks types and ranges', () => {
    expect(() => infonce({ temperature: 0 })).toThrow("infonce: option 'temperature' must be a finite number > 0, got 0");
    expect(() => losses.get('infonce')({ useInbatchNegative: 'false' })).toThrow("infonce: option 'useInbatchNegative' must be true or false, got 'false'");
    expect(() => losses.get('triplet')({ distance: 'manhattan' })).toThrow("triplet: option 'distance' must be one of 'cosine', 'euclidean', got 'manhattan'");
    expect(() => losses.get('infonce')({ labelSmoothing: 1 })).toThrow("infonce: option 'labelSmoothing' must be a number in [0, 1), got 1");
  });
  it('rejects combinations that cannot mean anything', () => {
    expect(() => infonce({ symmetric: true, useInbatchNegative: false })).toThrow(/infonce: option 'symmetric' needs useInbatchNegative/);
    expect(() => triplet({ form: 'soft', margin: 1 })).toThrow("triplet: option 'margin' applies to form 'hinge' only; the soft form has 'temperature'");
    expect(() => triplet({ temperature: 1 })).toThrow(/option 'temperature' applies to form 'soft' only/);
  });
  it('arcface needs its sizes or a weight, and per-class margins for every class', () => {
    expect(() => arcface()).toThrow(/arcface: options 'inFeatures' \(embedding size D\) and 'outFeatures' \(number of classes C\) are required/);
    expect(() => arcface({ inFeatures: 8, outFeatures: 3, margin: [0.1, 0.2] })).toThrow("arcface: option 'margin' has 2 per-class margins but there are 3 classes");
    expect(() => arcface({ weight: randn([3, 8], 1), inFeatures: 4 })).toThrow("arcface: option 'weight' is [3, 8] but inFeatures = 4, outFeatures = undefined");
    expect(arcface({ weight: [[1, 0], [0, 1], [1, 1]] }).parameters()[0]!.shape).toEqual([3, 2]);
  });
  it('matryoshka needs a loss and dims, and weights that fit them', () => {
    expect(() => matryoshka({ dims: [4] })).toThrow("matryoshka: option 'loss' is required (the loss to compute at each dimension)");
    expect(() => matryoshka({ loss: 'infonce' })).toThrow(/matryoshka: option 'dims' is required/);
    expect(() => matryoshka({ loss: 'infonce', dims: [8, 8] })).toThrow("matryoshka: option 'dims' must be a non-empty array of distinct positive integers, got [8,8]");
    expect(() => matryoshka({ loss: 'infonce', dims: [8, 4], weights: [1] })).toThrow("matryoshka: option 'weights' has 1 entries for 2 dims");
    expect(() => matryoshka({ loss: 'no-such-loss', dims: [8] })).toThrow(/unknown loss 'no-such-loss'; known: angle, arcface/);
    expect(() => matryoshka({ loss: { name: 'infonce', temprature: 1 }, dims: [8] })).toThrow(/infonce: unknown option 'temprature'/);
  });
});

describe('inputs', () => {
  const { inputs } = inputsFor('infonce', 4, 3);

  it('names a missing required field and what the loss reads', () => {
    expect(() => infonce()({ query: inputs.query })).toThrow(LossInputError);
    expect(() => infonce()({ query: inputs.query })).toThrow("infonce: input 'positive' is required; it reads query, positive, negative");
  });
  it('rejects a field the loss does not use', () => {
    expect(() => infonce()({ ...inputs, labels: ints([0, 1, 2, 3]) })).toThrow("infonce: does not use input 'labels'; it reads query, positive, negative");
  });
  it('rejects plain arrays and bare tensors', () => {
    expect(() => infonce()({ ...inputs, query: [[1, 2]] as never })).toThrow("infonce: input 'query' must be a core-tensor Tensor, got an array");
    expect(() => infonce()(inputs.query as never)).toThrow(/infonce: call it with an object of inputs \(\{ query, positive, negative \}\), got a Tensor/);
  });
  it('recognises a Tensor from a second copy of core-tensor', () => {
    const foreign = { shape: [4, D], dtype: 'float32', buffer: new Float32Array(4 * D) };
    expect(() => infonce()({ ...inputs, query: foreign as never })).toThrow(/infonce: input 'query' is a Tensor from another copy of @retrievals\/core-tensor/);
    expect(() => infonce()({ ...inputs, query: 5 as never })).toThrow("infonce: input 'query' must be a core-tensor Tensor, got number");
  });
  it('reports shapes with the dimension each field fixed', () => {
    expect(() => infonce()({ ...inputs, positive: randn([3, D], 1) })).toThrow("infonce: input 'positive' must have shape [B, D] = [4, 8] (B from 'query', D from 'query'), got [3, 8]");
    expect(() => infonce()({ ...inputs, negative: randn([8, 6], 1) })).toThrow("infonce: input 'negative' must have shape [N, D] = [?, 8] (D from 'query'), got [8, 6]");
    expect(() => infonce()({ ...inputs, negative: randn([7, D], 1) })).toThrow(
      "infonce: input 'negative' has 7 rows, not a multiple of B = 4 (from 'query'): give every query the same number G−1 of negatives, each query's rows contiguous",
    );
    expect(() => infonce()({ ...inputs, query: randn([4, 2, D], 1) })).toThrow("infonce: input 'query' must have shape [B, D] = [?, ?], got [4, 2, 8]");
  });
  it('reports dtypes', () => {
    expect(() => infonce()({ ...inputs, positive: randn([4, D], 1, 'float64') })).toThrow("infonce: input 'positive' is float64 but 'query' is float32; give them one dtype");
    expect(() => arcface({ inFeatures: D, outFeatures: 3 })({ embeddings: randn([2, D], 1), labels: floats([0, 1]) })).toThrow(
      "arcface: input 'labels' must be int32 or int64 class ids, got float32",
    );
  });
  it('arcface checks the class ids against the number of classes', () => {
    expect(() => arcface({ inFeatures: D, outFeatures: 3 })({ embeddings: randn([2, D], 1), labels: ints([0, 3]) })).toThrow(
      "arcface: input 'labels' holds class 3, outside [0, 3) (outFeatures = 3)",
    );
    expect(() => arcface({ inFeatures: D, outFeatures: 3 })({ embeddings: randn([2, 4], 1), labels: ints([0, 1]) })).toThrow(
      "arcface: input 'embeddings' must have shape [N, 8] = [?, 8], got [2, 4]",
    );
  });
  it('matryoshka names the dim that does not fit', () => {
    expect(() => matryoshka({ loss: 'infonce', dims: [16, 8] })(inputs)).toThrow("matryoshka: dim 16 exceeds the embedding size 8 of input 'query' [4, 8]");
  });
  it('colbert token masks must match their tokens', () => {
    const c = inputsFor('colbert-maxsim', 2, 2);
    expect(() => losses.get('colbert-maxsim')()({ ...c.inputs, queryMask: tensor([[1, 1], [1, 0]]) })).toThrow(
      "colbert-maxsim: input 'queryMask' must have shape [B, Tq] = [2, 3] (B from 'query', Tq from 'query'), got [2, 2]",
    );
  });
  it('student scores and embeddings are alternatives', () => {
    const k = inputsFor('kl-distill', 4, 3);
    expect(() => losses.get('kl-distill')()({ ...k.inputs, scores: randn([4, 3], 2) })).toThrow(
      "kl-distill: give either 'scores' or embeddings, not both (got 'scores' and 'query', 'positive', 'negative')",
    );
    expect(() => losses.get('margin-mse')()({ ...k.inputs, teacherMargins: randn([4, 2], 2) })).toThrow(
      "margin-mse: give exactly one of 'teacherScores' [B, G] and 'teacherMargins' [B, G−1]",
    );
    expect(() => losses.get('margin-mse')()({ query: k.inputs.query, positive: k.inputs.positive, negative: k.inputs.negative, teacherMargins: randn([4, 3], 2) })).toThrow(
      "margin-mse: input 'teacherMargins' must have shape [B, 2] = [4, 2] (B from 'query'), got [4, 3]",
    );
  });
});
