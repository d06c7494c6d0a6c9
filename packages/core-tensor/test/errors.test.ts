/**
 * Bad input fails early with an error that says what is wrong: a shape mismatch names the op (the
 * function the caller used) and both shapes; a dtype mismatch names both dtypes; misuse of
 * backward says why; an out-of-range index fails on js instead of reading garbage.
 */
import { describe, expect, it } from 'vitest';
import {
  add, argmax, backward, binary, cast, concat, cosineSimilarityMatrix, crossEntropy, div, DTypeError, dropout, embedding, equal, exp,
  expand, gather, gatherElements, Generator, gelu, greater, indexSelect, klDiv, layerNorm, linear, matmul, maximum, mean, mul, noGrad, normalize, not,
  pad, permute, pow, realize, reshape, RetrievalsError, rmsNorm, setBackend, ShapeError, slice, softmax, split, squeeze, stack, sub, sum, tensor, topk,
  unary, where, withBackend, zeros, type DType, type Tensor,
} from '../src/index.js';

const z = (shape: number[], dtype: DType = 'float32') => zeros(shape, dtype);
/** A regex for a literal message fragment. */
const lit = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe('shape mismatches name the op and both shapes', () => {
  const cases: [string, () => unknown, string][] = [
    ['add [2,3] + [4,3]', () => add(z([2, 3]), z([4, 3])), 'add: shapes [2, 3] and [4, 3] cannot be broadcast together (dim 0: 2 vs 4)'],
    ['sub [3] - [2,4]', () => sub(z([3]), z([2, 4])), 'sub: shapes [3] and [2, 4] cannot be broadcast together (dim 1: 3 vs 4)'],
    ['mul as a method', () => z([2, 3]).mul(z([3, 2])), 'mul: shapes [2, 3] and [3, 2]'],
    ['div', () => div(z([5]), z([4])), 'div: shapes [5] and [4]'],
    ['pow', () => pow(z([2, 2]), z([3])), 'pow: shapes [2, 2] and [3]'],
    ['maximum', () => maximum(z([2]), z([3])), 'maximum: shapes [2] and [3]'],
    ['equal', () => equal(z([2]), z([3])), 'equal: shapes [2] and [3]'],
    ['and', () => binary('and', z([2], 'bool'), z([3], 'bool')), 'and: shapes [2] and [3]'],
    ['where (three shapes)', () => where(z([2], 'bool'), z([3]), z([1])), 'where: shapes [2] and [3] and [1] cannot be broadcast together'],
    ['matmul inner dims', () => matmul(z([2, 3]), z([4, 5])), 'matmul: inner dims differ: [2, 3] @ [4, 5] (3 vs 4)'],
    ['matmul batch dims', () => matmul(z([2, 3, 4]), z([3, 4, 5])), 'matmul: batch dims of [2, 3, 4] and [3, 4, 5] cannot be broadcast together'],
    ['matmul rank 1', () => matmul(z([3]), z([3, 2])), 'matmul: both operands need rank ≥ 2, got [3] and [3, 2]'],
    ['concat', () => concat([z([2, 3]), z([3, 3])], 1), 'concat: shapes [2, 3], [3, 3] differ outside axis 1'],
    ['concat ranks', () => concat([z([2, 3]), z([2, 3, 1])]), 'concat: shapes [2, 3], [2, 3, 1] differ outside axis 0'],
    ['stack', () => stack([z([2]), z([3])]), 'stack: shapes [2], [3] differ'],
    ['reshape to the wrong size', () => reshape(z([2, 3]), [4, 2]), 'reshape: [2, 3] (6 elements) cannot become [4, 2]'],
    ['reshape with an impossible -1', () => reshape(z([2, 3]), [4, -1]), 'reshape: cannot infer -1 in [4, -1] for 6 elements of [2, 3]'],
    ['expand', () => expand(z([3]), [4]), 'expand: dim 0 of [3] is 3, cannot become 4 of [4]'],
    ['split sizes', () => split(z([5, 2]), [2, 2]), 'split: sizes [2,2] do not add up to dim 0 = 5 of [5, 2]'],
    ['squeeze of a non-1 dim', () => squeeze(z([2, 3]), 1), 'squeeze: dim 1 of [2, 3] is not 1'],
    ['gatherElements index shape', () => gatherElements(z([2, 3]), z([3, 3], 'int64'), 1), 'gatherElements: index shape [3, 3] does not fit [2, 3] along axis 1'],
    ['topk k too large', () => topk(z([2, 3]), 4), 'topk: k=4 out of range for dim -1 of [2, 3]'],
    ['indexSelect 2-D index', () => indexSelect(z([4, 2]), 0, z([2, 2], 'int64')), 'indexSelect: index must be 1-D, got [2, 2]'],
    ['crossEntropy', () => crossEntropy(z([4, 3]), z([5], 'int64')), 'crossEntropy: expected logits [N, C] and targets [N], got [4, 3] and [5]'],
    ['linear features', () => linear(z([2, 3]), z([5, 4])), 'linear: input [2, 3] has 3 features, weight [5, 4] ([out, in]) takes 4'],
    ['linear bias', () => linear(z([2, 4]), z([5, 4]), z([4])), 'linear: bias [4] does not match weight [5, 4]'],
    ['layerNorm weight', () => layerNorm(z([2, 3]), z([4])), 'layerNorm (weight): shapes [2, 3] and [4] cannot be broadcast together'],
    ['layerNorm bias', () => layerNorm(z([2, 3]), z([3]), z([2])), 'layerNorm (bias): shapes [2, 3] and [2]'],
    ['rmsNorm weight', () => rmsNorm(z([2, 3]), z([4])), 'rmsNorm (weight): shapes [2, 3] and [4]'],
    ['klDiv', () => klDiv(z([2, 3]), z([2, 4])), 'klDiv: shapes [2, 3] and [2, 4]'],
    ['cosineSimilarityMatrix', () => cosineSimilarityMatrix(z([2, 3]), z([2, 4])), 'cosineSimilarityMatrix: feature dims differ: [2, 3] and [2, 4]'],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(ShapeError);
      expect(fn).toThrow(lit(message));
    });
  }

  it('axes out of range, repeated axes, bad permutations and pads name the op', () => {
    expect(() => sum(z([2, 3]), 2)).toThrow(lit('sum: axis 2 is out of range for rank 2'));
    expect(() => mean(z([2, 3]), [0, -2])).toThrow(lit('mean: repeated axis in [0,-2]'));
    expect(() => softmax(z([2, 3]), -3)).toThrow(/axis -3 is out of range for rank 2/);
    expect(() => permute(z([2, 3]), [0, 0])).toThrow(lit('permute: [0,0] is not a permutation of 2 axes'));
    expect(() => pad(z([2, 3]), [[1, 1]])).toThrow(lit('pad: need [before, after] ≥ 0 for each of 2 dims'));
    expect(() => slice(z([2, 3]), 2, 0, 1)).toThrow(lit('slice: axis 2 is out of range for rank 2'));
    expect(() => gather(z([2, 3]), z([1], 'int64'), 2)).toThrow(lit('gather: axis 2 is out of range for rank 2'));
  });

  it('ragged data and a buffer that does not fill its shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(lit('tensor: 5 values do not fill shape [2, 3]'));
  });
});

describe('dtype mismatches are clear', () => {
  const cases: [string, () => unknown, string][] = [
    ['add float32 + int32', () => add(z([2]), z([2], 'int32')), 'add: dtypes differ (float32 and int32); cast one first'],
    ['mul float32 × float64', () => mul(z([2]), z([2], 'float64')), 'mul: dtypes differ (float32 and float64)'],
    ['matmul', () => matmul(z([2, 2]), z([2, 2], 'float64')), 'matmul: dtypes differ (float32 and float64)'],
    ['concat', () => concat([z([2]), z([2], 'int64')]), 'concat: dtypes differ (float32 and int64)'],
    ['where branches', () => where(z([2], 'bool'), z([2]), z([2], 'int32')), 'where: branch dtypes differ (float32 and int32)'],
    ['where condition', () => where(z([2]), z([2]), z([2])), 'where: condition must be bool, got float32'],
    ['gather indices', () => gather(z([3, 2]), z([2])), 'gather: indices must be int32 or int64, got float32'],
    ['embedding ids', () => embedding(z([3, 2]), z([2], 'bool')), 'gather: indices must be int32 or int64, got bool'],
    ['exp of int', () => exp(z([2], 'int32')), 'exp: needs a float tensor, got int32'],
    ['gelu of int', () => gelu(z([2], 'int64')), 'gelu: needs float32 or float64, got int64'],
    ['softmax of int', () => softmax(z([2], 'int32')), 'softmax: needs float32 or float64, got int32'],
    ['layerNorm of int', () => layerNorm(z([2], 'int32')), 'layerNorm: needs float32 or float64, got int32'],
    ['logic op on floats', () => binary('and', z([2]), z([2])), 'and: needs bool tensors, got float32'],
    ['arithmetic on bools', () => add(z([2], 'bool'), z([2], 'bool')), 'add: does not take bool tensors, got bool'],
    ['not of float', () => not(z([2])), 'not: needs a bool tensor, got float32'],
    ['pow of ints', () => pow(z([2], 'int32'), z([2], 'int32')), 'pow: needs float tensors, got int32'],
    ['sum of bool', () => sum(z([2], 'bool')), 'sum: cannot reduce a bool tensor; cast it first'],
    ['argmax of bool', () => argmax(z([2], 'bool'), 0), 'argmax: cannot reduce a bool tensor'],
    ['topk of bool', () => topk(z([2], 'bool'), 1), 'topk: cannot reduce a bool tensor'],
    ['crossEntropy float targets', () => crossEntropy(z([2, 3]), z([2])), 'crossEntropy: targets must be int32/int64, got float32'],
    ['two numbers', () => add(1, 2), 'add: at least one operand must be a tensor'],
    ['normalize p', () => normalize(z([2]), -1, 1e-12, 3), 'normalize: p must be 1 or 2, got 3'],
    ['dropout p', () => dropout(z([2]), 1, new Generator(0)), 'dropout: p must be in [0, 1), got 1'],
    ['cast to an unknown dtype', () => cast(z([2]), 'float8' as DType), "unknown dtype 'float8'; known: float32"],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(RetrievalsError);
      expect(fn).toThrow(lit(message));
    });
  }

  it('the dtype errors are DTypeErrors', () => {
    expect(() => add(z([2]), z([2], 'int32'))).toThrow(DTypeError);
    expect(() => unary('log', z([2], 'int64'))).toThrow(DTypeError);
    expect(() => greater(z([2], 'bool'), z([2], 'bool'))).toThrow(DTypeError);
  });
});

describe('backward misuse is clear', () => {
  it('on a tensor that does not require grad', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(lit('backward: the tensor does not require grad (no trainable input, or built under noGrad)'));
    const w = tensor([1, 2]).requiresGrad_();
    expect(() => noGrad(() => w.mul(2).sum()).backward()).toThrow(/does not require grad/);
    expect(() => w.detach().sum().backward()).toThrow(/does not require grad/);
    expect(() => backward(argmax(w, 0).cast('float32'))).toThrow(/does not require grad/);
  });

  it('on a non-scalar without a gradient, or with a gradient of the wrong shape', () => {
    const w = tensor([1, 2, 3]).requiresGrad_();
    expect(() => w.mul(2).backward()).toThrow(lit('backward: give the gradient of a non-scalar output [3]'));
    expect(() => w.mul(2).backward(tensor([1, 1]))).toThrow(lit('backward: gradient shape [2] differs from output [3]'));
  });

  it('marking a computed tensor as trainable', () => {
    expect(() => tensor([1]).mul(2).requiresGrad_()).toThrow(/only leaf tensors/);
  });

  it('a lazy tensor read synchronously, item of a non-scalar', async () => {
    expect(() => tensor([1, 2]).mul(2).dataSync()).toThrow(/not realised yet: await t\.data\(\) or realize\(t\) first/);
    await expect(tensor([1, 2]).item()).rejects.toThrow(lit('item: tensor has shape [2], not one element'));
  });
});

describe('out-of-range indices', () => {
  const onJs = (...ts: Tensor[]) => withBackend('js', () => realize(...ts));

  it('gather / embedding / indexSelect fail on js, naming the index and the dim', async () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]]);
    await expect(onJs(gather(w, tensor([0, 3], [2], 'int64')))).rejects.toThrow(lit('gather: index 3 is out of range for a dimension of size 3'));
    await expect(onJs(embedding(w, tensor([-4], [1], 'int32')))).rejects.toThrow(lit('gather: index -4 is out of range for a dimension of size 3'));
    await expect(onJs(indexSelect(w, 1, tensor([2], [1], 'int64')))).rejects.toThrow(lit('gather: index 2 is out of range for a dimension of size 2'));
    // negative indices within range count from the end, as in ONNX
    const last = gather(w, tensor([-1], [1], 'int64'));
    await onJs(last);
    expect(Array.from(last.dataSync(), Number)).toEqual([5, 6]);
  });

  it('the gradient of an embedding fails the same way', async () => {
    const w = tensor([[1, 2], [3, 4]]).requiresGrad_();
    embedding(w, tensor([5], [1], 'int64')).sum().backward();
    await expect(onJs(w.grad!)).rejects.toThrow(lit('gather: index 5 is out of range for a dimension of size 2'));
  });

  it('gatherElements and crossEntropy with a class id ≥ C fail on js', async () => {
    const x = tensor([[1, 2, 3]]);
    await expect(onJs(gatherElements(x, tensor([[3]], [1, 1], 'int64'), 1))).rejects.toThrow(lit('gatherElements: index 3 is out of range for a dimension of size 3'));
    await expect(onJs(crossEntropy(x, tensor([3], [1], 'int64')))).rejects.toThrow(/index 3 is out of range for a dimension of size 3/);
  });

  it('fail on ort too (onnxruntime checks indices)', async () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]]);
    await expect(withBackend('ort', () => realize(gather(w, tensor([7], [1], 'int64'))))).rejects.toThrow(/out of data bounds/);
    await expect(withBackend('ort', () => realize(gatherElements(w, tensor([[2, 0]], [1, 2], 'int64'), 1)))).rejects.toThrow(/[Oo]ut of range/);
  });
});

describe('a failed realisation leaves the backend usable', () => {
  it('the next graph runs normally', async () => {
    setBackend('js');
    await expect(realize(gather(tensor([1, 2]), tensor([9], [1], 'int64')))).rejects.toThrow(RetrievalsError);
    expect(await tensor([1, 2]).mul(3).toArray()).toEqual([3, 6]);
  });
});
