/**
 * Elementwise unary ops (float32 over ordinary, size-1, empty and scalar shapes; large |x|;
 * integer dtypes) and binary ops (broadcasting, number literals, integer arithmetic, compare, logic).
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import {
  abs, add, binary, cos, div, equal, erf, exp, gelu, greater, isFinite, less, log, maximum, minimum, mul, neg, not, pow, relu, rsqrt,
  sigmoid, silu, sin, softplus, sqrt, sub, tanh, type Tensor, unary,
} from '../src/index.js';
import type { UnaryOp } from '../src/ops/elementwise.js';
import { type Case, data, Rand, suite, vals, type Values } from './helpers/index.js';

/** Shapes every elementwise op sees: ordinary, size-1 dims, an empty dim, and a scalar. */
const ELEMENTWISE_SHAPES: Record<string, number[]> = { x: [2, 3, 4], ones: [1, 5, 1], empty: [0, 3], scalar: [] };

// ---------------------------------------------------------------------------------------------
// Elementwise unary
// ---------------------------------------------------------------------------------------------

const r = new Rand(1);
const UNARY_FNS: Record<string, { fn: (x: Tensor) => Tensor; domain: (shape: number[]) => Tensor; grad: boolean }> = {
  neg: { fn: neg, domain: (s) => r.normal(s, { std: 2 }), grad: true },
  exp: { fn: exp, domain: (s) => r.normal(s, { std: 2 }), grad: true },
  log: { fn: log, domain: (s) => r.uniform(s, 0.05, 5), grad: true },
  sqrt: { fn: sqrt, domain: (s) => r.uniform(s, 0.05, 5), grad: true },
  rsqrt: { fn: rsqrt, domain: (s) => r.uniform(s, 0.05, 5), grad: true },
  abs: { fn: abs, domain: (s) => r.nonzero(s, 0.1, 3), grad: true },
  tanh: { fn: tanh, domain: (s) => r.normal(s, { std: 2 }), grad: true },
  sigmoid: { fn: sigmoid, domain: (s) => r.normal(s, { std: 4 }), grad: true },
  erf: { fn: erf, domain: (s) => r.normal(s, { std: 1.5 }), grad: true },
  reciprocal: { fn: (x) => unary('reciprocal', x), domain: (s) => r.nonzero(s, 0.2, 3), grad: true },
  sin: { fn: sin, domain: (s) => r.normal(s, { std: 3 }), grad: true },
  cos: { fn: cos, domain: (s) => r.normal(s, { std: 3 }), grad: true },
  identity: { fn: (x) => unary('identity', x), domain: (s) => r.normal(s), grad: true },
  sign: { fn: (x) => unary('sign', x), domain: (s) => r.normal(s), grad: false },
  relu: { fn: relu, domain: (s) => r.nonzero(s, 0.05, 3), grad: true },
  silu: { fn: silu, domain: (s) => r.normal(s, { std: 3 }), grad: true },
  softplus: { fn: softplus, domain: (s) => r.normal(s, { std: 4 }), grad: true },
  'gelu (erf)': { fn: (x) => gelu(x), domain: (s) => r.normal(s, { std: 2 }), grad: true },
  'gelu (tanh)': { fn: (x) => gelu(x, 'tanh'), domain: (s) => r.normal(s, { std: 2 }), grad: true },
  'detach (identity, no grad)': { fn: (x) => x.mul(1).detach(), domain: (s) => r.normal(s), grad: false },
};

suite(
  'unary float32 ops (shapes [2,3,4], [1,5,1], [0,3], [])',
  Object.entries(UNARY_FNS).map(([name, { fn, domain, grad }]) => ({
    name,
    inputs: Object.fromEntries(Object.entries(ELEMENTWISE_SHAPES).map(([k, s]) => [k, domain(s)])),
    grad: grad ? Object.keys(ELEMENTWISE_SHAPES) : undefined,
    build: (x) => Object.fromEntries(Object.keys(ELEMENTWISE_SHAPES).map((k) => [k, fn(x[k]!)])),
  })),
);

suite('unary: special values and integer dtypes', [
  {
    name: 'softplus/sigmoid/tanh/exp/gelu/silu at large |x| (no overflow), sign at 0',
    inputs: { x: data([-100, -30, -5, -0, 0, 5, 30, 100, 1e-7, -1e-7], [10]) },
    build: ({ x }) => ({
      softplus: softplus(x!),
      sigmoid: sigmoid(x!),
      tanh: tanh(x!),
      gelu: gelu(x!),
      geluTanh: gelu(x!, 'tanh'),
      silu: silu(x!),
      sign: unary('sign', x!),
    }),
    check: (v) => {
      expect(vals(v, 'softplus')[7]).toBe(100);
      expect(vals(v, 'softplus')[0]).toBeGreaterThanOrEqual(0); // e^-100 underflows float32's log(1 + ·)
      expect(vals(v, 'softplus')[0]).toBeLessThan(1e-30);
      expect(vals(v, 'sigmoid')[0]).toBeLessThan(1e-30);
      expect(vals(v, 'sign').slice(2, 6)).toEqual([-1, 0, 0, 1]);
    },
  },
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `neg/abs/sign/identity on ${dtype}`,
      inputs: { x: data([-7, -1, 0, 1, 3, 2147483, -99], [7], dtype), e: data([], [0, 2], dtype) },
      build: ({ x, e }) => ({
        ...Object.fromEntries((['neg', 'abs', 'sign', 'identity'] as UnaryOp[]).map((op) => [op, unary(op, x!)])),
        empty: unary('neg', e!),
      }),
      check: (v) => expect(vals(v, 'sign')).toEqual([-1, -1, 0, 1, 1, 1, -1]),
    }),
  ),
  {
    name: 'isFinite on ±Infinity and NaN',
    inputs: { x: data([1, Infinity, -Infinity, NaN, -2, 0], [2, 3]) },
    build: ({ x }) => isFinite(x!),
    check: (v) => expect(vals(v, 'out')).toEqual([1, 0, 0, 0, 1, 1]),
  },
]);

// ---------------------------------------------------------------------------------------------
// Elementwise binary, with broadcasting edge cases
// ---------------------------------------------------------------------------------------------

/** [left shape, right shape]: equal, [3,1]×[1,4], scalar tensors, leading-dim broadcast, size-1 only, empty dims. */
const BROADCAST_PAIRS: Record<string, [number[], number[]]> = {
  same: [[2, 3], [2, 3]],
  colRow: [[3, 1], [1, 4]],
  scalarLeft: [[], [2, 3]],
  scalarRight: [[2, 3], []],
  leading: [[4], [2, 3, 4]],
  leadingMid: [[2, 1, 4], [3, 1]],
  allOnes: [[1], [1, 1, 1]],
  empty: [[0, 3], [1, 3]],
  emptyBroadcast: [[0, 1], [1, 4]],
  emptyScalar: [[2, 0], []],
};

const rb = new Rand(2);
const BINARY_FNS: Record<string, { fn: (a: Tensor | number, b: Tensor | number) => Tensor; left: (s: number[]) => Tensor; right: (s: number[]) => Tensor; lit: [number, number] }> = {
  add: { fn: add, left: (s) => rb.normal(s), right: (s) => rb.normal(s), lit: [2.5, -1.5] },
  sub: { fn: sub, left: (s) => rb.normal(s), right: (s) => rb.normal(s), lit: [2.5, -1.5] },
  mul: { fn: mul, left: (s) => rb.normal(s), right: (s) => rb.normal(s), lit: [2.5, -1.5] },
  div: { fn: div, left: (s) => rb.normal(s), right: (s) => rb.nonzero(s, 0.3, 3), lit: [2.5, -1.5] },
  pow: { fn: pow, left: (s) => rb.uniform(s, 0.3, 3), right: (s) => rb.normal(s), lit: [2.5, 1.5] },
  maximum: { fn: maximum, left: (s) => rb.normal(s), right: (s) => rb.normal(s), lit: [0.25, -0.5] },
  minimum: { fn: minimum, left: (s) => rb.normal(s), right: (s) => rb.normal(s), lit: [0.25, -0.5] },
};

suite(
  'binary float32 arithmetic with broadcasting (same, [3,1]×[1,4], scalar, leading dims, size-1, empty) and number literals',
  Object.entries(BINARY_FNS).map(([name, { fn, left, right, lit }]) => {
    const inputs: Record<string, Tensor> = {};
    for (const [k, [sa, sb]] of Object.entries(BROADCAST_PAIRS)) {
      inputs[`${k}.a`] = left(sa);
      inputs[`${k}.b`] = right(sb);
    }
    return {
      name,
      inputs,
      grad: Object.keys(inputs),
      build: (x) => {
        const outs: Record<string, Tensor> = {};
        for (const k of Object.keys(BROADCAST_PAIRS)) outs[k] = fn(x[`${k}.a`]!, x[`${k}.b`]!);
        outs.literalRight = fn(x['same.a']!, lit[0]);
        outs.literalLeft = fn(lit[1], x['same.b']!);
        return outs;
      },
      check: (v: Values) => {
        expect(v.colRow!.shape).toEqual([3, 4]);
        expect(v.leadingMid!.shape).toEqual([2, 3, 4]);
        expect(v.emptyBroadcast!.shape).toEqual([0, 4]);
        expect(v.allOnes!.shape).toEqual([1, 1, 1]);
      },
    };
  }),
);

suite('binary integer arithmetic (int32/int64), compare and logic ops', [
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `add/sub/mul/div/maximum/minimum on ${dtype} (div truncates), broadcast [3,1]×[1,4]`,
      inputs: { a: data([-7, 7, 20], [3, 1], dtype), b: data([2, -3, 5, -1], [1, 4], dtype), e: data([], [0, 4], dtype) },
      build: ({ a, b, e }) => ({
        add: add(a!, b!), sub: sub(a!, b!), mul: mul(a!, b!), div: div(a!, b!), maximum: maximum(a!, b!), minimum: minimum(a!, b!),
        literal: add(mul(a!, 3), 1), empty: add(e!, b!),
      }),
      check: (v) => expect(vals(v, 'div').slice(0, 4)).toEqual([-3, 2, -1, 7]),
    }),
  ),
  ...(['float32', 'int32', 'int64'] as const).map(
    (dtype): Case => {
      const rc = new Rand(3);
      const mk = (s: number[]) => (dtype === 'float32' ? rc.intFloats(s, -2, 3) : rc.ints(s, -2, 3, dtype));
      return {
        name: `equal/less/greater on ${dtype} with broadcasting and literals`,
        inputs: { a: data([0, 1, 2], [3, 1], dtype), b: data([-1, 1, 2, 0], [1, 4], dtype), c: mk([2, 3, 4]), e: mk([0, 4]) },
        build: ({ a, b, c, e }) => ({
          equal: equal(a!, b!), less: less(a!, b!), greater: greater(a!, b!),
          eqLit: equal(c!, 1), ltLit: less(0, c!), gtLit: greater(c!, -1), empty: less(e!, b!),
          methodEq: c!.eq(a!.reshape([1, 3, 1])), methodLt: c!.lt(b!), methodGt: c!.gt(0),
        }),
        check: (v) => {
          const eq = vals(v, 'equal'), lt = vals(v, 'less'), gt = vals(v, 'greater');
          expect(eq.every((_, i) => eq[i]! + lt[i]! + gt[i]! === 1)).toBe(true);
          expect(eq.some((e) => e === 1)).toBe(true);
        },
      };
    },
  ),
  (() => {
    const a = new Rand(4).bools([3, 1]), b = new Rand(5).bools([1, 4]);
    return {
      name: 'and/or/not on bool with broadcasting and an empty dim',
      inputs: { a, b, e: new Rand(6).bools([0, 4]) },
      build: ({ a, b, e }) => ({
        and: binary('and', a!, b!), or: binary('or', a!, b!), not: not(a!), nand: not(binary('and', a!, b!)), empty: binary('or', e!, b!),
      }),
      check: (v) => {
        const av = Array.from(a.dataSync(), Number), bv = Array.from(b.dataSync(), Number);
        expect(vals(v, 'and')).toEqual(av.flatMap((x) => bv.map((y) => x & y)));
        expect(vals(v, 'or')).toEqual(av.flatMap((x) => bv.map((y) => x | y)));
        expect(vals(v, 'not')).toEqual(av.map((x) => 1 - x));
      },
    } satisfies Case;
  })(),
]);
