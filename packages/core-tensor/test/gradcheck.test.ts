/**
 * Every differentiable op, and the composites built from them, against central finite differences
 * in float64 on the js backend: |analytic − numeric| ≤ 1e-6·(1 + |numeric|) for every element of
 * every input, with non-scalar outputs projected to a scalar by fixed random weights. Inputs keep
 * away from kinks (|x| at 0 for abs/relu, ties for max/min/topk, clamp bounds) by more than eps.
 */
import { describe, expect, it } from 'vitest';
import {
  abs, add, binary, cumsum, cast, clamp, concat, cos, cosineSimilarityMatrix, crossEntropy, div, dropout, embedding, erf, exp, expand, gather,
  gatherElements, Generator, gelu, indexSelect, klDiv, layerNorm, linear, log, logSoftmax, logsumexp, maskedFill, matmul, max, maximum, mean, min,
  minimum, mul, neg, normalize, pad, permute, pow, relu, reshape, rmsNorm, rsqrt, sigmoid, silu, sin, slice, softmax, softplus, split,
  sqrt, squeeze, stack, sub, sum, tanh, Tensor, topk, transpose, unary, unsqueeze, where,
} from '../src/index.js';
import { gatherGrad, scatterElementsAdd } from '../src/ops/index-ops.js';
import { asDType, data, gradCheck, Rand, type GradCheckOptions } from './helpers/index.js';

interface Case {
  name: string;
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor | Tensor[] | Record<string, Tensor>;
  options?: GradCheckOptions;
}

function suite(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const report = await gradCheck(c.fn, c.inputs, c.options);
        expect(report.ok, `${c.name}: ${report.message}`).toBe(true);
        expect(report.checked).toBe(c.inputs.reduce((n, x) => n + x.size, 0));
      });
    }
  });
}

const F64 = { dtype: 'float64' } as const;
const r = new Rand(21);
const normal = (shape: number[], std = 1) => r.normal(shape, { ...F64, std });
const positive = (shape: number[], low = 0.3, high = 3) => r.uniform(shape, low, high, 'float64');
const nonzero = (shape: number[], low = 0.2, high = 2) => r.nonzero(shape, low, high, 'float64');
const distinct = (shape: number[]) => r.distinct(shape, F64);
const ids = (values: number[], shape: number[], dtype: 'int32' | 'int64') => data(values, shape, dtype);
const bools = (shape: number[]) => r.bools(shape);
/** Two tensors whose values are all pairwise distinct (no ties between them for maximum/minimum). */
function distinctPair(sa: number[], sb: number[]): [Tensor, Tensor] {
  const n = sa.reduce((p, d) => p * d, 1), m = sb.reduce((p, d) => p * d, 1);
  const all = Array.from(distinct([n + m]).dataSync() as Float64Array);
  return [data(all.slice(0, n), sa, 'float64'), data(all.slice(n), sb, 'float64')];
}

// ---------------------------------------------------------------------------------------------

const UNARY: [string, (x: Tensor) => Tensor, Tensor][] = [
  ['neg', neg, normal([2, 3])],
  ['exp', exp, normal([2, 3])],
  ['log', log, positive([2, 3])],
  ['sqrt', sqrt, positive([2, 3])],
  ['rsqrt', rsqrt, positive([2, 3])],
  ['abs', abs, nonzero([2, 3])],
  ['tanh', tanh, normal([2, 3], 1.5)],
  ['sigmoid', sigmoid, normal([2, 3], 2)],
  ['erf', erf, normal([2, 3])],
  ['reciprocal', (x) => unary('reciprocal', x), nonzero([2, 3], 0.4)],
  ['sin', sin, normal([2, 3], 2)],
  ['cos', cos, normal([2, 3], 2)],
  ['identity', (x) => unary('identity', x), normal([2, 3])],
  ['relu', relu, nonzero([2, 3], 0.05)],
  ['silu', silu, normal([2, 3], 2)],
  ['softplus', softplus, normal([2, 3], 3)],
  ['gelu (erf)', (x) => gelu(x), normal([2, 3], 2)],
  ['gelu (tanh)', (x) => gelu(x, 'tanh'), normal([2, 3], 2)],
];
suite(
  'unary ops and activations',
  UNARY.map(([name, fn, x]) => ({ name, inputs: [x], fn })),
);

suite('binary ops with broadcasting ([3,1]×[1,4], leading dims, scalars) and literals', [
  { name: 'add', inputs: [normal([3, 1]), normal([1, 4]), normal([]), normal([2, 3, 4])], fn: (a, b, s, c) => [add(a!, b!), add(s!, c!), add(c!, b!)] },
  { name: 'sub', inputs: [normal([3, 1]), normal([1, 4]), normal([]), normal([2, 3, 4])], fn: (a, b, s, c) => [sub(a!, b!), sub(s!, c!), sub(c!, b!), sub(2, a!)] },
  { name: 'mul', inputs: [normal([3, 1]), normal([1, 4]), normal([]), normal([2, 3, 4])], fn: (a, b, s, c) => [mul(a!, b!), mul(c!, s!), mul(b!, c!), mul(a!, a!)] },
  { name: 'div', inputs: [normal([3, 1]), nonzero([1, 4]), nonzero([]), normal([2, 3, 4])], fn: (a, b, s, c) => [div(a!, b!), div(c!, s!), div(c!, b!), div(1, b!)] },
  {
    name: 'pow (base and exponent)',
    inputs: [positive([3, 1], 0.5, 2), normal([1, 4]), positive([2, 3]), normal([])],
    fn: (a, b, c, e) => [pow(a!, b!), pow(c!, e!), pow(c!, 3), pow(2, b!), pow(a!, 0.5)],
  },
  (() => {
    const [a, b] = distinctPair([3, 1], [1, 4]);
    const [c, d] = distinctPair([2, 3, 4], [4]);
    return { name: 'maximum (no ties)', inputs: [a, b, c, d], fn: (a, b, c, d) => [maximum(a!, b!), maximum(c!, d!), maximum(a!, 0.01)] } satisfies Case;
  })(),
  (() => {
    const [a, b] = distinctPair([3, 1], [1, 4]);
    const [c, d] = distinctPair([2, 3, 4], [4]);
    return { name: 'minimum (no ties)', inputs: [a, b, c, d], fn: (a, b, c, d) => [minimum(a!, b!), minimum(c!, d!), minimum(0.01, a!)] } satisfies Case;
  })(),
]);

const cond = bools([3, 1]), cond2 = bools([3, 4]);
suite('where, maskedFill, clamp, cast', [
  { name: 'where (cond [3,1], branches [1,4] and [])', inputs: [normal([1, 4]), normal([])], fn: (a, b) => [where(cond, a!, b!), where(cond2, a!, 3), where(cond2, -1, b!)] },
  // a moderate fill value: -1e9 would swamp the finite differences of the projected sum in rounding
  { name: 'maskedFill', inputs: [normal([3, 4])], fn: (x) => [maskedFill(x!, cond, -5), maskedFill(x!, cond2, 0)] },
  {
    name: 'clamp (bounds away from the values)',
    inputs: [data([-2.1, -0.7, -0.2, 0.3, 0.9, 1.6, 2.4, -1.3], [2, 4], 'float64')],
    fn: (x) => [clamp(x!, -1, 1), clamp(x!, -0.5), clamp(x!, undefined, 0.5)],
  },
  // float32 in the middle rounds to ~1e-7 relative: a coarser step and tolerance, still far below a wrong gradient.
  { name: 'cast float64 → float32 → float64', inputs: [normal([2, 3])], fn: (x) => cast(mul(cast(x!, 'float32'), 3), 'float64'), options: { eps: 1e-3, tol: 1e-4 } },
]);

suite('reductions', [
  { name: 'sum over all, axes, keepdim', inputs: [normal([2, 3, 4])], fn: (x) => [sum(x!), sum(x!, 1), sum(x!, [0, 2], true), sum(x!, -1)] },
  { name: 'mean over all, axes, keepdim', inputs: [normal([2, 3, 4])], fn: (x) => [mean(x!), mean(x!, 0), mean(x!, [1, 2], true)] },
  { name: 'max (no ties)', inputs: [distinct([2, 3, 4])], fn: (x) => [max(x!), max(x!, 1), max(x!, [0, 2], true)] },
  { name: 'min (no ties)', inputs: [distinct([2, 3, 4])], fn: (x) => [min(x!), min(x!, -1, true), min(x!, [0, 1])] },
  { name: 'logsumexp over all, axes, keepdim', inputs: [normal([2, 3, 4], 2)], fn: (x) => [logsumexp(x!), logsumexp(x!, 1), logsumexp(x!, [0, 2], true)] },
]);

suite('softmax family and normalisations', [
  { name: 'softmax over axes -1 and 0', inputs: [normal([3, 5], 2)], fn: (x) => [softmax(x!), softmax(x!, 0)] },
  { name: 'logSoftmax over axes -1 and 0', inputs: [normal([3, 5], 2)], fn: (x) => [logSoftmax(x!), logSoftmax(x!, 0)] },
  { name: 'softmax with a -1e9 mask', inputs: [normal([3, 4])], fn: (x) => softmax(maskedFill(x!, data([0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1], [3, 4], 'bool'), -1e9)) },
  { name: 'layerNorm with weight and bias', inputs: [normal([2, 3, 5], 2), normal([5]), normal([5])], fn: (x, w, b) => layerNorm(x!, w!, b!) },
  { name: 'layerNorm without affine, large eps', inputs: [normal([3, 4])], fn: (x) => layerNorm(x!, undefined, undefined, 0.1) },
  { name: 'rmsNorm with weight', inputs: [normal([2, 3, 5]), normal([5])], fn: (x, w) => rmsNorm(x!, w!) },
  { name: 'rmsNorm without weight, large eps', inputs: [normal([3, 4])], fn: (x) => rmsNorm(x!, undefined, 0.5) },
  { name: 'normalize p=2 along axes -1 and 0', inputs: [normal([3, 4])], fn: (x) => [normalize(x!), normalize(x!, 0)] },
  { name: 'normalize p=1', inputs: [nonzero([3, 4])], fn: (x) => normalize(x!, -1, 1e-12, 1) },
  {
    // Below eps the result is x/eps, a linear map: the gradient there is 1/eps, also for an exactly zero row (as in PyTorch).
    name: 'normalize rows with norm below eps, including an all-zero row',
    inputs: [data([0, 0, 0, 1e-4, -2e-4, 3e-4, 0.5, -1, 2], [3, 3], 'float64')],
    fn: (x) => normalize(x!, -1, 1e-2),
    options: { eps: 1e-7 },
  },
  { name: 'cosineSimilarityMatrix', inputs: [normal([4, 3]), normal([2, 3])], fn: (a, b) => cosineSimilarityMatrix(a!, b!) },
  { name: 'cosineSimilarityMatrix with an all-zero row', inputs: [data([0, 0, 0, 1, 2, -1], [2, 3], 'float64'), normal([2, 3])], fn: (a, b) => cosineSimilarityMatrix(a!, b!, 1e-3), options: { eps: 1e-7 } },
]);

suite('matmul and linear', [
  { name: '2-D', inputs: [normal([3, 4]), normal([4, 2])], fn: (a, b) => matmul(a!, b!) },
  { name: 'broadcast batch dims [2,1,3,4] @ [5,4,2]', inputs: [normal([2, 1, 3, 4]), normal([5, 4, 2])], fn: (a, b) => matmul(a!, b!) },
  { name: 'batched input, 2-D weight [2,3,4] @ [4,5]', inputs: [normal([2, 3, 4]), normal([4, 5])], fn: (a, b) => matmul(a!, b!) },
  { name: '2-D left, batched right [5,3] @ [2,3,2]', inputs: [normal([5, 3]), normal([2, 3, 2])], fn: (a, b) => matmul(a!, b!) },
  { name: 'transposed operands', inputs: [normal([4, 3]), normal([2, 4])], fn: (a, b) => [matmul(transpose(a!), transpose(b!)), matmul(b!, a!)] },
  { name: 'size-1 dims', inputs: [normal([1, 4]), normal([4, 1])], fn: (a, b) => [matmul(a!, b!), matmul(b!, a!)] },
  { name: 'linear with bias', inputs: [normal([2, 3, 4]), normal([5, 4]), normal([5])], fn: (x, w, b) => linear(x!, w!, b!) },
]);

suite('shape ops', [
  { name: 'reshape, permute, transpose', inputs: [normal([2, 3, 4])], fn: (x) => [reshape(x!, [4, -1]), permute(x!, [2, 0, 1]), transpose(x!, 0, 1)] },
  { name: 'expand (new leading dims, size-1 dims)', inputs: [normal([3, 1]), normal([])], fn: (a, s) => [expand(a!, [2, 3, 4]), expand(s!, [2, 2])] },
  { name: 'squeeze, unsqueeze', inputs: [normal([1, 3, 1])], fn: (x) => [squeeze(x!), squeeze(x!, 0), unsqueeze(x!, -1)] },
  { name: 'slice (negative, clamped bounds)', inputs: [normal([4, 5])], fn: (x) => [slice(x!, 1, 1, 3), slice(x!, 0, -2), slice(x!, -1, -10, 2)] },
  { name: 'pad', inputs: [normal([2, 3])], fn: (x) => [pad(x!, [[1, 0], [2, 1]]), pad(x!, [[0, 2], [0, 0]])] },
  { name: 'concat, stack', inputs: [normal([2, 3]), normal([2, 1]), normal([2, 3])], fn: (a, b, c) => [concat([a!, b!, c!], 1), concat([a!, c!], 0), stack([a!, c!], 1)] },
  { name: 'split', inputs: [normal([7, 2])], fn: (x) => [...split(x!, [2, 4, 1]), ...split(x!, 3, 0).map((t) => mul(t, t))] },
]);

suite('scans', [
  { name: 'cumsum along each axis, forward and reversed', inputs: [normal([2, 3, 4])], fn: (x) => [cumsum(x!, 0), cumsum(x!, 1, true), cumsum(x!, -1)] },
]);

suite('indexing', [
  ...(['int32', 'int64'] as const).flatMap((dt): Case[] => [
    { name: `embedding with repeated ${dt} ids`, inputs: [normal([5, 3])], fn: (w) => embedding(w!, ids([1, 3, 1, 0, 1, 4], [2, 3], dt)) },
    { name: `gather along axis 1 with repeated and negative ${dt} ids`, inputs: [normal([2, 4, 3])], fn: (x) => gather(x!, ids([3, -1, 0, 3], [2, 2], dt), 1) },
    { name: `gatherElements with repeated ${dt} indices`, inputs: [normal([3, 4])], fn: (x) => [gatherElements(x!, ids([0, 2, 2, 0, 1, 1, 1, 1], [2, 4], dt), 0), gatherElements(x!, ids([3, 3, 0, 1, 1, 1], [3, 2], dt), 1)] },
  ]),
  { name: 'gather with a scalar index', inputs: [normal([3, 4])], fn: (x) => gather(x!, data([2], [], 'int64'), 1) },
  { name: 'indexSelect along axis 1', inputs: [normal([2, 4])], fn: (x) => indexSelect(x!, 1, data([3, 0, 3], [3], 'int32')) },
  { name: 'topk values (no ties), largest and smallest', inputs: [distinct([3, 5])], fn: (x) => [topk(x!, 2).values, topk(x!, 2, 0, false).values] },
  {
    // The gradients' own gradients (double backward): gatherGrad ↔ gather, scatterElementsAdd ↔ gatherElements.
    name: 'gatherGrad and scatterElementsAdd (gradient ops)',
    inputs: [normal([2, 3, 2]), normal([2, 2])],
    fn: (u, v) => [gatherGrad(data([1, 3, 1], [3], 'int64'), u!, 1, 4), scatterElementsAdd(data([2, 2, 0, 1], [2, 2], 'int32'), v!, 1, [2, 3])],
  },
]);

const ceTargets = data([1, -100, 4, 0, 4], [5], 'int64');
suite('losses, dropout', [
  { name: 'crossEntropy (mean)', inputs: [normal([5, 6], 2)], fn: (l) => crossEntropy(l!, data([1, 2, 4, 0, 5], [5], 'int32')) },
  { name: 'crossEntropy with label smoothing and ignoreIndex (mean)', inputs: [normal([5, 6], 2)], fn: (l) => crossEntropy(l!, ceTargets, { labelSmoothing: 0.1 }) },
  { name: 'crossEntropy with label smoothing and custom ignoreIndex (sum, none)', inputs: [normal([5, 6], 2)], fn: (l) => [crossEntropy(l!, data([1, 4, 2, 0, 4], [5], 'int32'), { labelSmoothing: 0.2, ignoreIndex: 4, reduction: 'sum' }), crossEntropy(l!, data([1, 0, 4, 0, 2], [5], 'int64'), { ignoreIndex: 0, reduction: 'none' })] },
  {
    name: 'klDiv with probability targets (input and target gradients), all reductions',
    inputs: [normal([3, 4]), positive([3, 4], 0.05, 1)],
    fn: (x, t) => {
      const input = logSoftmax(x!);
      return [klDiv(input, t!), klDiv(input, t!, { reduction: 'sum' }), klDiv(input, t!, { reduction: 'mean' }), klDiv(input, t!, { reduction: 'none' })];
    },
  },
  {
    name: 'klDiv with a target that has zeros (input gradient)',
    inputs: [normal([2, 4])],
    fn: (x) => klDiv(logSoftmax(x!), data([0.5, 0, 0.5, 0, 0.1, 0.2, 0.3, 0.4], [2, 4], 'float64')),
  },
  { name: 'klDiv with log targets', inputs: [normal([3, 4]), normal([3, 4])], fn: (x, t) => [klDiv(logSoftmax(x!), logSoftmax(t!), { logTarget: true }), klDiv(x!, t!, { logTarget: true, reduction: 'none' })] },
  { name: 'dropout (fixed seed)', inputs: [normal([4, 5])], fn: (x) => dropout(x!, 0.4, new Generator(5)) },
]);

suite('composites', [
  {
    name: 'attention block: softmax(q·kᵀ/√d + mask)·v, layerNorm, gelu, residual',
    inputs: [normal([2, 3, 4]), normal([4, 4], 0.5), normal([4])],
    fn: (x, w, g) => {
      const q = matmul(x!, w!), k = matmul(x!, transpose(w!));
      const scores = add(div(matmul(q, transpose(k)), 2), data([0, -1e9, 0, 0, 0, -1e9, 0, 0, 0], [3, 3], 'float64'));
      const h = add(x!, matmul(softmax(scores), x!));
      return gelu(layerNorm(h, g!), 'tanh');
    },
  },
  { name: 'binary() with each arithmetic op at once', inputs: [positive([2, 3]), nonzero([2, 3])], fn: (a, b) => (['add', 'sub', 'mul', 'div', 'pow'] as const).map((op) => binary(op, a!, b!)) },
]);

describe('subgradients at ties (exact, as PyTorch)', () => {
  it('max/min split the gradient evenly among tied extremes; maximum/minimum split a tie in half', async () => {
    const x = data([1, 3, 3, 2, 5, 0], [2, 3], 'float64').requiresGrad_();
    const y = data([1, 2, 0], [3], 'float64').requiresGrad_();
    add(add(sum(max(x, 1)), sum(min(x, 0))), sum(maximum(x, y))).backward();
    const z = data([1, 2, 0], [3], 'float64').requiresGrad_();
    sum(minimum(z, 1)).backward();
    const [gx, gy, gz] = await Promise.all([x.grad!.toArray(), y.grad!.toArray(), z.grad!.toArray()]);
    // max rows: [1,3,3] → 1/2 each to the 3s; [2,5,0] → 5. min cols: 1|2, 3|5, 3|0. maximum with y=[1,2,0]: 1=1 tie, 3>2, 3>0, 2>1, 5>2, 0=0 tie
    expect(gx).toEqual([0 + 1 + 0.5, 0.5 + 1 + 1, 0.5 + 0 + 1, 0 + 0 + 1, 1 + 0 + 1, 0 + 1 + 0.5]);
    expect(gy).toEqual([0.5, 0, 0.5]);
    expect(gz).toEqual([0.5, 0, 1]);
  });
});

describe('the gradient checker', () => {
  it('fails a wrong gradient and names where', async () => {
    const x = normal([2, 3]);
    // detach hides half of d(x²)/dx
    const report = await gradCheck((t) => mul(t, t.detach()), [x]);
    expect(report.ok).toBe(false);
    expect(report.worst!.numeric).toBeCloseTo(2 * report.worst!.analytic, 5);
    expect(report.message).toMatch(/MISMATCH: worst input 0 element \d/);
  });

  it('fails a vacuous check (an input with no influence)', async () => {
    const report = await gradCheck((a, _b) => mul(a!, 2), [normal([2]), normal([2])]);
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(/input 1 has a zero numeric gradient/);
  });

  it('rejects float32 inputs', async () => {
    await expect(gradCheck((t) => t, [new Rand(1).normal([2])])).rejects.toThrow(/must be a float64 tensor/);
  });
});
