/**
 * NaN, ±Infinity, ±0, a float32 subnormal and division by zero through every unary and binary op,
 * softmax and crossEntropy; the known max/min NaN divergence.
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { describe, expect, it } from 'vitest';
import { binary, clamp, crossEntropy, gelu, isFinite, logSoftmax, logsumexp, max, min, relu, rsqrt, silu, softmax, softplus, unary } from '../src/index.js';
import type { UnaryOp } from '../src/ops/elementwise.js';
import { agree, data, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// Special values: NaN, ±Infinity, ±0, a float32 subnormal, division by zero
// ---------------------------------------------------------------------------------------------

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, -2.5, 3, 1e-40];
const ALL_UNARY: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity'];
suite('special values (NaN, ±Infinity, ±0, subnormal)', [
  {
    name: 'every unary op and activation',
    inputs: { x: data(SPECIAL, [10]) },
    build: ({ x }) => ({
      ...Object.fromEntries(ALL_UNARY.map((op) => [op, unary(op, x!)])),
      rsqrt: rsqrt(x!), relu: relu(x!), silu: silu(x!), softplus: softplus(x!), gelu: gelu(x!), geluTanh: gelu(x!, 'tanh'), isFinite: isFinite(x!), clamp: clamp(x!, -1, 1),
    }),
    check: (v) => {
      expect(vals(v, 'sign')[0]).toBeNaN();
      expect(vals(v, 'log')[3]).toBe(-Infinity);
    },
  },
  {
    name: 'every binary op on all pairs of special values ([10,1] × [1,10])',
    inputs: { a: data(SPECIAL, [10, 1]), b: data(SPECIAL, [1, 10]) },
    build: ({ a, b }) => Object.fromEntries((['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'less', 'greater'] as const).map((op) => [op, binary(op, a!, b!)])),
    check: (v) => {
      expect(vals(v, 'pow')[5 * 10 + 0]).toBe(1); // 1^NaN = 1, as C's pow
      expect(vals(v, 'pow')[6 * 10 + 1]).toBe(1); // (−1)^∞ = 1
      expect(vals(v, 'div')[5 * 10 + 3]).toBe(Infinity);
      expect(vals(v, 'maximum')[5 * 10 + 0]).toBeNaN();
    },
  },
  {
    name: 'softmax of a fully masked row, logsumexp of -Infinity, crossEntropy with every target ignored',
    inputs: { x: data([-Infinity, -Infinity, -Infinity, 1, 2, 3], [2, 3]), l: data([1, 2, 3, 0, 0, 1], [2, 3]), t: data([-100, -100], [2], 'int64') },
    build: ({ x, l, t }) => ({ sm: softmax(x!), lsm: logSoftmax(x!), lse: logsumexp(x!, 1), ce: crossEntropy(l!, t!), ceSum: crossEntropy(l!, t!, { reduction: 'sum' }) }),
    check: (v) => {
      expect(vals(v, 'ce')[0]).toBeNaN(); // 0/0, as PyTorch
      expect(vals(v, 'ceSum')[0]).toBe(0);
    },
  },
]);

describe('known divergence', () => {
  // onnxruntime's ReduceMax/ReduceMin keep a NaN only when it is the first element of the reduced
  // group; the js reference propagates it (as torch.amax). Reported, not fixed: propagating it on
  // ort needs extra full passes (IsNaN, Cast, ReduceMax, Where) in every max reduction, softmax's
  // included. When that changes, this test starts failing: turn it into an agreement case.
  it.fails('max/min reductions propagate a NaN that is not first in its group on both backends', async () => {
    await agree({
      name: 'NaN in max/min',
      inputs: { m: data([1, NaN, 3, NaN, 1, 3], [2, 3]) },
      build: ({ m }) => ({ max: max(m!, 1), min: min(m!, 1) }),
    });
  });
});
