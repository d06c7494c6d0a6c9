/**
 * Every value-computing op, computed on the js reference backend and on onnxruntime from the same
 * inputs, must agree: float32 within rtol 1e-5 (atol 1e-6 where values cross zero), integer and
 * bool outputs exactly. Each case builds one graph (forward outputs plus, for differentiable ops,
 * the gradients of a random projection of them) and realises it in one run per backend.
 */
import { describe, expect, it } from 'vitest';
import {
  abs, add, applyRotary, argmax, cumsum, fullLike, positionsLike, binary, cast, clamp, concat, cos, cosineSimilarityMatrix, crossEntropy, div, dropout, embedding, equal, erf, exp,
  expand, gather, gatherElements, Generator, gelu, greater, indexSelect, isFinite, klDiv, layerNorm, less, linear, log, logSoftmax, logsumexp, maskedFill,
  matmul, max, maximum, mean, min, minimum, mul, neg, normalize, not, pad, permute, pow, relu, reshape, rmsNorm, rotaryTables, rsqrt, sigmoid, silu, sin,
  slice, softmax, softplus, split, sqrt, squeeze, stack, sub, sum, tanh, Tensor, topk, topkIndices, toFloat, transpose, unary, unsqueeze, where,
} from '../src/index.js';
import type { UnaryOp } from '../src/ops/elementwise.js';
import { backwardProjected, data, expectSameValues, fresh, Rand, runOn, type Values } from './helpers/index.js';

type Outs = Tensor | Record<string, Tensor>;

interface Case {
  name: string;
  /** Data tensors; each backend run gets fresh copies. */
  inputs: Record<string, Tensor>;
  /** Inputs to differentiate: their gradients (of a random projection of all outputs) are compared too. */
  grad?: string[];
  build: (x: Record<string, Tensor>) => Outs;
  rtol?: number;
  atol?: number;
  /** Tolerances for the gradients, where they differ (cancellation in the backward pass). */
  gradRtol?: number;
  gradAtol?: number;
  /** An independent check of the js values (semantics, not just agreement). */
  check?: (v: Values) => void;
}

function buildCase(c: Case): Record<string, Tensor> {
  const ins: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.inputs)) ins[k] = fresh(t, c.grad?.includes(k) ?? false);
  const out = c.build(ins);
  const outs: Record<string, Tensor> = out instanceof Tensor ? { out } : { ...out };
  if (c.grad?.length) {
    backwardProjected(Object.values(outs));
    for (const k of c.grad) {
      const g = ins[k]!.grad;
      if (!g) throw new Error(`${c.name}: no gradient reached input '${k}'`);
      outs[`grad.${k}`] = g;
    }
  }
  return outs;
}

async function agree(c: Case): Promise<void> {
  const js = await runOn('js', () => buildCase(c));
  const ort = await runOn('ort', () => buildCase(c));
  const pick = (v: Values, grads: boolean) => Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('grad.') === grads));
  expectSameValues(pick(ort, false), pick(js, false), { rtol: c.rtol ?? 1e-5, atol: c.atol ?? 1e-6, labels: ['ort', 'js'] });
  expectSameValues(pick(ort, true), pick(js, true), { rtol: c.gradRtol ?? c.rtol ?? 1e-5, atol: c.gradAtol ?? c.atol ?? 1e-6, labels: ['ort', 'js'] });
  c.check?.(js);
}

function suite(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) it(c.name, () => agree(c));
  });
}

const vals = (v: Values, k: string) => v[k]!.values;

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

// ---------------------------------------------------------------------------------------------
// where / maskedFill / clamp / cast
// ---------------------------------------------------------------------------------------------

const rw = new Rand(7);
suite('where, maskedFill, clamp, cast', [
  {
    name: 'where: cond [3,1], a [1,4], b [] (three-way broadcast), literal branches, empty cond',
    inputs: { c: rw.bools([3, 1]), c2: rw.bools([2, 3, 4]), a: rw.normal([1, 4]), b: rw.normal([]), x: rw.normal([3, 4]), e: rw.bools([0, 4]) },
    grad: ['a', 'b', 'x'],
    build: ({ c, c2, a, b, x, e }) => ({
      three: where(c!, a!, b!), litA: where(c2!, 2, x!), litB: where(c2!, x!, -1), method: x!.where(c!, a!), empty: where(e!, a!, b!),
    }),
  },
  {
    name: 'where on int64 and bool branches',
    inputs: { c: rw.bools([2, 3]), a: rw.ints([2, 3], -5, 5), b: rw.ints([1, 3], -5, 5), p: rw.bools([2, 3]), q: rw.bools([3]) },
    build: ({ c, a, b, p, q }) => ({ int: where(c!, a!, b!), lit: where(c!, a!, 7), bool: where(c!, p!, q!) }),
  },
  {
    name: 'maskedFill with broadcast masks, a large negative and -Infinity',
    inputs: { x: rw.normal([3, 4]), m1: rw.bools([3, 1]), m2: rw.bools([1, 4]), m3: rw.bools([3, 4]) },
    grad: ['x'],
    build: ({ x, m1, m2, m3 }) => ({ rows: maskedFill(x!, m1!, -1e9), cols: maskedFill(x!, m2!, 0.5), inf: maskedFill(x!, m3!, -Infinity), method: x!.maskedFill(m2!, 3) }),
  },
  {
    name: 'clamp: min only, max only, both (method too)',
    inputs: { x: rw.normal([4, 5], { std: 2 }) },
    grad: ['x'],
    build: ({ x }) => ({ lo: clamp(x!, -0.5), hi: clamp(x!, undefined, 0.75), both: clamp(x!, -1, 1), method: x!.clamp(0, 2) }),
    check: (v) => expect(Math.max(...vals(v, 'both'))).toBeLessThanOrEqual(1),
  },
  {
    name: 'cast float32 → int32/int64 (truncation), bool, float64; ints and bools → float32; int64 ↔ int32',
    inputs: {
      f: data([-2.7, -1.5, -0.5, 0, 0.5, 1.5, 2.7, 100.9, -0, 3], [2, 5]),
      i64: data([-3, 0, 5, 123456], [4], 'int64'),
      i32: data([-3, 0, 5, 123456], [4], 'int32'),
      b: data([1, 0, 1], [3], 'bool'),
      e: data([], [0, 2]),
    },
    build: ({ f, i64, i32, b, e }) => ({
      toI32: cast(f!, 'int32'), toI64: cast(f!, 'int64'), toBool: cast(f!, 'bool'), toF64: cast(f!, 'float64'),
      fromI64: toFloat(i64!), fromI32: cast(i32!, 'float32'), fromBool: cast(b!, 'float32'), boolToI64: cast(b!, 'int64'),
      i64ToI32: cast(i64!, 'int32'), i32ToI64: i32!.cast('int64'), roundTrip: cast(cast(f!, 'float64'), 'float32'), empty: cast(e!, 'int64'),
    }),
    check: (v) => {
      expect(vals(v, 'toI32')).toEqual([-2, -1, 0, 0, 0, 1, 2, 100, 0, 3]);
      expect(vals(v, 'toBool')).toEqual([1, 1, 1, 0, 1, 1, 1, 1, 0, 1]);
    },
  },
  {
    // bfloat16 only inside the graph: onnxruntime-node cannot feed or fetch bfloat16 tensors.
    name: 'cast float32 → float16 (fetched) and → bfloat16 → float32 (round to nearest even); float16 fed → float32',
    inputs: {
      f: data([1, -2.5, 1 / 3, 65504, 1e-6, -7.1234567, 3.14159, 0.1, 1 + 2 ** -8, 1 + 3 * 2 ** -8], [10]),
      h: new Tensor({ shape: [3], dtype: 'float16', buffer: new Uint16Array([0x3c00, 0xc100, 0x0001]) }),
    },
    build: ({ f, h }) => ({ f16: cast(f!, 'float16'), f16back: cast(cast(f!, 'float16'), 'float32'), bf16back: cast(cast(f!, 'bfloat16'), 'float32'), fromF16: cast(h!, 'float32') }),
    check: (v) => {
      // ties to even: 1 + 2^-8 → 1, 1 + 3·2^-8 → 1 + 2^-6 in bfloat16 (7 mantissa bits)
      expect(vals(v, 'bf16back').slice(8)).toEqual([1, 1 + 2 ** -6]);
      expect(vals(v, 'fromF16')).toEqual([1, -2.5, 2 ** -24]);
    },
    rtol: 0,
    atol: 0,
  },
  {
    name: 'cast gradient float32 → float64 → float32',
    inputs: { x: rw.normal([3, 4]) },
    grad: ['x'],
    build: ({ x }) => ({ y: cast(mul(cast(x!, 'float64'), 3), 'float32') }),
  },
]);

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

const rr = new Rand(8);
type ReduceFn = (x: Tensor, axes?: number | number[], keepdim?: boolean) => Tensor;
const REDUCE_FNS: Record<string, ReduceFn> = { sum, mean, max, min, logsumexp };
const REDUCE_CONFIGS: [string, number | number[] | undefined, boolean][] = [
  ['all', undefined, false],
  ['all keepdim', undefined, true],
  ['axis 0', 0, false],
  ['axis -1 keepdim', -1, true],
  ['axes [0,2]', [0, 2], false],
  ['axes [2,0] keepdim', [2, 0], true],
  ['axis 1', [1], false],
];

suite(
  'reductions sum/mean/max/min/logsumexp over axes, keepdim, size-1 and empty dims',
  Object.entries(REDUCE_FNS).map(([name, fn]): Case => {
    const canReduceEmpty = name === 'sum' || name === 'mean';
    return {
      name,
      inputs: { x: rr.distinct([2, 3, 4]), one: rr.distinct([1, 3]), empty: rr.normal([0, 3]), wide: rr.distinct([3, 0]) },
      grad: ['x', 'one', ...(canReduceEmpty ? ['empty'] : [])],
      build: ({ x, one, empty, wide }) => {
        const outs: Record<string, Tensor> = {};
        for (const [label, axes, keep] of REDUCE_CONFIGS) outs[label] = fn(x!, axes, keep);
        outs['size-1 axis 0'] = fn(one!, 0);
        outs['size-1 axis 1 keepdim'] = fn(one!, 1, true);
        outs['empty: non-empty axis'] = fn(wide!, 0); // [3,0] over axis 0 → [0]
        if (canReduceEmpty) {
          outs['empty: over the empty axis'] = fn(empty!, 0); // sum → zeros, mean → NaN
          outs['empty: all'] = fn(empty!);
          outs['empty: axis 1'] = fn(empty!, 1, true);
        }
        return outs;
      },
      check: (v) => {
        expect(v['axes [2,0] keepdim']!.shape).toEqual([1, 3, 1]);
        expect(v['empty: non-empty axis']!.shape).toEqual([0]);
        if (name === 'sum') expect(vals(v, 'empty: over the empty axis')).toEqual([0, 0, 0]);
      },
    };
  }),
);

suite('reductions: methods, -Infinity, argmax', [
  {
    name: 'reduction methods (x.sum/mean/max/min/logsumexp)',
    inputs: { x: rr.distinct([3, 5]) },
    grad: ['x'],
    build: ({ x }) => ({ sum: x!.sum(1), mean: x!.mean(0, true), max: x!.max(-1), min: x!.min(), lse: x!.logsumexp(1, true) }),
  },
  {
    name: 'logsumexp and max with -Infinity entries and an all -Infinity row',
    inputs: { x: data([-Infinity, 1, 2, -Infinity, -Infinity, -Infinity, 0.5, -Infinity, -3], [3, 3]) },
    build: ({ x }) => ({ lse: logsumexp(x!, 1), max: max(x!, 1), lseAll: logsumexp(x!) }),
    check: (v) => {
      expect(vals(v, 'lse')[1]).toBe(-Infinity);
      expect(vals(v, 'lse')[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2)), 5);
    },
  },
  {
    name: 'argmax over each axis, keepdim, int32 input, size-1 dim',
    inputs: { x: rr.distinct([2, 3, 4]), i: rr.ints([3, 5], -100, 100, 'int32'), one: rr.distinct([1, 4]) },
    build: ({ x, i, one }) => ({
      a0: argmax(x!, 0), a1: argmax(x!, 1, true), aLast: argmax(x!, -1), int: argmax(i!, 1), one: argmax(one!, 0), method: x!.argmax(2, true),
    }),
  },
  {
    name: 'argmax ties pick the first index',
    inputs: { x: data([3, 1, 3, 2, 5, 5, 7, 0, 7], [3, 3]) },
    build: ({ x }) => argmax(x!, 1),
    check: (v) => expect(vals(v, 'out')).toEqual([0, 1, 0]),
  },
]);

// ---------------------------------------------------------------------------------------------
// Normalisations, softmax family
// ---------------------------------------------------------------------------------------------

const rn = new Rand(9);
suite('softmax, logSoftmax, layerNorm, rmsNorm, normalize, cosineSimilarityMatrix', [
  {
    name: 'softmax and logSoftmax over axes -1, 0, 1; size-1 axis; empty batch',
    inputs: { x: rn.normal([2, 3, 5], { std: 3 }), one: rn.normal([3, 1]), empty: rn.normal([0, 5]) },
    grad: ['x', 'one'],
    build: ({ x, one, empty }) => ({
      sm: softmax(x!), sm0: softmax(x!, 0), sm1: x!.softmax(1), lsm: logSoftmax(x!), lsm0: logSoftmax(x!, 0), lsm1: x!.logSoftmax(1),
      smOne: softmax(one!, 1), lsmOne: logSoftmax(one!, 1), smEmpty: softmax(empty!), lsmEmpty: logSoftmax(empty!),
    }),
    check: (v) => expect(vals(v, 'smOne')).toEqual([1, 1, 1]),
  },
  {
    name: 'softmax/logSoftmax with -Infinity masked entries (attention masks)',
    inputs: { x: rn.normal([3, 4]), m: data([0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0], [3, 4], 'bool') },
    grad: ['x'],
    build: ({ x, m }) => ({ sm: softmax(maskedFill(x!, m!, -Infinity)), lsm: logSoftmax(maskedFill(x!, m!, -1e9)) }),
    check: (v) => expect(vals(v, 'sm')[1]).toBe(0),
  },
  {
    name: 'layerNorm with and without weight/bias; last dim of size 1; empty batch',
    inputs: { x: rn.normal([2, 3, 8], { std: 2, mean: 1 }), w: rn.normal([8]), b: rn.normal([8]), one: rn.normal([4, 1]), empty: rn.normal([0, 8]) },
    grad: ['x', 'w', 'b', 'one'],
    build: ({ x, w, b, one, empty }) => ({
      affine: layerNorm(x!, w!, b!), plain: layerNorm(x!), eps: layerNorm(x!, w!, undefined, 1e-2), one: layerNorm(one!), empty: layerNorm(empty!, w!, b!),
    }),
  },
  {
    name: 'rmsNorm with and without weight; empty batch',
    inputs: { x: rn.normal([2, 3, 8]), w: rn.normal([8]), empty: rn.normal([0, 8]) },
    grad: ['x', 'w'],
    build: ({ x, w, empty }) => ({ weighted: rmsNorm(x!, w!), plain: rmsNorm(x!), eps: rmsNorm(x!, undefined, 0.1), empty: rmsNorm(empty!, w!) }),
  },
  {
    name: 'normalize p=2 and p=1 along axes -1 and 0, a zero row (clamped by eps)',
    inputs: { x: rn.normal([4, 6]), z: data([0, 0, 0, 1, 2, 3], [2, 3]) },
    grad: ['x'],
    build: ({ x, z }) => ({ l2: normalize(x!), l2axis0: normalize(x!, 0), l1: normalize(x!, -1, 1e-12, 1), method: x!.normalize(1), zero: normalize(z!) }),
    check: (v) => expect(vals(v, 'zero').slice(0, 3)).toEqual([0, 0, 0]),
  },
  {
    name: 'cosineSimilarityMatrix [4,6]×[3,6], and of a batch with itself',
    inputs: { a: rn.normal([4, 6]), b: rn.normal([3, 6]) },
    grad: ['a', 'b'],
    build: ({ a, b }) => ({ ab: cosineSimilarityMatrix(a!, b!), aa: cosineSimilarityMatrix(a!, a!) }),
    check: (v) => expect(vals(v, 'aa')[0]).toBeCloseTo(1, 5),
  },
]);

// ---------------------------------------------------------------------------------------------
// matmul
// ---------------------------------------------------------------------------------------------

const rm = new Rand(10);
suite('matmul and linear', [
  {
    name: '2-D, batched, broadcast batch dims, 2-D weight under a batch, transposed operands',
    inputs: {
      a: rm.normal([3, 4]), b: rm.normal([4, 5]),
      ba: rm.normal([2, 3, 4]), bb: rm.normal([2, 4, 5]),
      ca: rm.normal([2, 1, 3, 4]), cb: rm.normal([5, 4, 2]),
      w: rm.normal([4, 6]), m2: rm.normal([5, 3]), b3: rm.normal([2, 3, 2]),
      ta: rm.normal([4, 3]), tb: rm.normal([5, 4]),
    },
    grad: ['a', 'b', 'ba', 'bb', 'ca', 'cb', 'w', 'm2', 'b3', 'ta', 'tb'],
    build: (x) => ({
      plain: matmul(x.a!, x.b!),
      batched: matmul(x.ba!, x.bb!),
      broadcastBatch: matmul(x.ca!, x.cb!), // [2,1,3,4] @ [5,4,2] → [2,5,3,2]
      weight2d: matmul(x.ba!, x.w!), // [2,3,4] @ [4,6]: the flattened weight-gradient path
      left2d: matmul(x.m2!, x.b3!), // [5,3] @ [2,3,2] → [2,5,2]
      transposedA: matmul(transpose(x.ta!), x.b!),
      transposedB: matmul(x.a!, transpose(x.tb!)),
      both: matmul(transpose(x.ta!), transpose(x.tb!)),
      method: x.a!.matmul(x.b!),
    }),
    check: (v) => expect(v.broadcastBatch!.shape).toEqual([2, 5, 3, 2]),
  },
  {
    name: 'size-1 dims: [1,4]@[4,1], [1,1]@[1,1], batch of 1',
    inputs: { a: rm.normal([1, 4]), b: rm.normal([4, 1]), s: rm.normal([1, 1]), t: rm.normal([1, 1]), c: rm.normal([1, 2, 3]), d: rm.normal([3, 1]) },
    grad: ['a', 'b', 's', 't', 'c', 'd'],
    build: (x) => ({ dot: matmul(x.a!, x.b!), outer: matmul(x.b!, x.a!), tiny: matmul(x.s!, x.t!), batch1: matmul(x.c!, x.d!) }),
  },
  {
    name: 'empty dims: m = 0, n = 0, batch = 0, and inner k = 0 (zeros)',
    inputs: { m0: rm.normal([0, 4]), w: rm.normal([4, 3]), n0: rm.normal([4, 0]), a: rm.normal([3, 4]), b0: rm.normal([0, 2, 4]), k0a: rm.normal([3, 0]), k0b: rm.normal([0, 2]) },
    build: (x) => ({ m0: matmul(x.m0!, x.w!), n0: matmul(x.a!, x.n0!), batch0: matmul(x.b0!, x.w!), k0: matmul(x.k0a!, x.k0b!) }),
    check: (v) => {
      expect(v.k0!.shape).toEqual([3, 2]);
      expect(vals(v, 'k0')).toEqual([0, 0, 0, 0, 0, 0]);
    },
  },
  {
    name: 'empty dims: gradients (m = 0 gives a zero weight gradient, k = 0 gives empty ones)',
    inputs: { m0: rm.normal([0, 4]), w: rm.normal([4, 3]), k0a: rm.normal([3, 0]), k0b: rm.normal([0, 2]), b: rm.normal([2]) },
    grad: ['m0', 'w', 'k0a', 'k0b', 'b'],
    build: (x) => ({ m0: matmul(x.m0!, x.w!), k0: add(matmul(x.k0a!, x.k0b!), x.b!) }),
    check: (v) => expect(vals(v, 'grad.w')).toEqual(new Array(12).fill(0)),
  },
  {
    name: 'linear with and without bias, batched input',
    inputs: { x: rm.normal([2, 3, 4]), w: rm.normal([5, 4]), b: rm.normal([5]) },
    grad: ['x', 'w', 'b'],
    build: ({ x, w, b }) => ({ withBias: linear(x!, w!, b!), noBias: linear(x!, w!) }),
  },
]);

// ---------------------------------------------------------------------------------------------
// Shape ops
// ---------------------------------------------------------------------------------------------

const rs = new Rand(11);
suite('shape ops', [
  {
    name: 'reshape (with -1), permute, transpose, expand, squeeze, unsqueeze',
    inputs: { x: rs.normal([2, 3, 4]), c: rs.normal([3, 1]), o: rs.normal([1, 3, 1]), s: rs.normal([]) },
    grad: ['x', 'c', 'o', 's'],
    build: ({ x, c, o, s }) => ({
      reshape: reshape(x!, [4, -1]), reshapeFlat: x!.reshape([-1]), permute: permute(x!, [2, 0, 1]), permuteNeg: x!.permute([-1, -3, -2]),
      transpose: transpose(x!), transpose02: transpose(x!, 0, 2), expand: expand(c!, [2, 3, 5]), expandKeep: c!.expand([-1, 4]),
      expandScalar: expand(s!, [2, 2]), squeezeAll: squeeze(o!), squeeze0: o!.squeeze(0), unsqueeze: unsqueeze(x!, -1), unsqueeze0: c!.unsqueeze(0),
    }),
    check: (v) => expect(v.expand!.shape).toEqual([2, 3, 5]),
  },
  {
    name: 'slice (negative and out-of-range bounds, empty result), pad',
    inputs: { x: rs.normal([3, 5]), y: rs.normal([2, 3, 4]) },
    grad: ['x', 'y'],
    build: ({ x, y }) => ({
      mid: slice(x!, 1, 1, 4), neg: slice(x!, -1, -3), oor: slice(x!, 0, -10, 10).mul(2), rows: x!.slice(0, 1, 2), empty: slice(x!, 1, 3, 1),
      inner: slice(y!, 1, 1), pad: pad(x!, [[1, 0], [2, 3]]), pad3: pad(y!, [[0, 0], [1, 1], [0, 2]]),
    }),
    check: (v) => expect(v.empty!.shape).toEqual([3, 0]),
  },
  {
    name: 'pad and slice of empty dims',
    inputs: { e: rs.normal([0, 3]), x: rs.normal([2, 3]) },
    build: ({ e, x }) => ({ padEmpty: pad(e!, [[1, 1], [0, 1]]), sliceToEmpty: slice(x!, 0, 1, 1), padToFromEmpty: pad(slice(x!, 1, 2, 2), [[0, 0], [2, 0]]) }),
    check: (v) => expect(vals(v, 'padEmpty')).toEqual(new Array(8).fill(0)),
  },
  {
    name: 'concat (3 inputs, negative axis, an empty piece), stack, split',
    inputs: { a: rs.normal([2, 3]), b: rs.normal([2, 1]), c: rs.normal([2, 4]), e: rs.normal([2, 0]), d: rs.normal([2, 3]), x: rs.normal([7, 2]) },
    grad: ['a', 'b', 'c', 'd', 'x'],
    build: ({ a, b, c, e, d, x }) => {
      const [p, q, w] = split(x!, [2, 4, 1]);
      const parts = split(x!, 3); // 3, 3, 1
      return {
        concat: concat([a!, b!, c!], 1), concatNeg: concat([a!, e!, b!], -1), concat0: concat([a!, d!]),
        stack: stack([a!, d!]), stackLast: stack([a!, d!], -1),
        p: p!, q: q!.mul(1), w: w!, part0: parts[0]!, part1: parts[1]!, part2: parts[2]!,
      };
    },
    check: (v) => {
      expect(v.concat!.shape).toEqual([2, 8]);
      expect(v.stackLast!.shape).toEqual([2, 3, 2]);
      expect(v.part2!.shape).toEqual([1, 2]);
    },
  },
  {
    name: 'shape ops on int64 and bool tensors',
    inputs: { i: rs.ints([2, 3], -9, 9), b: rs.bools([2, 3]) },
    build: ({ i, b }) => ({
      permute: transpose(i!), concat: concat([i!, i!], 1), pad: pad(i!, [[1, 0], [0, 1]]), slice: slice(i!, 1, 1), expand: expand(reshape(i!, [2, 1, 3]), [2, 2, 3]),
      bPermute: transpose(b!), bConcat: concat([b!, b!]), bSlice: slice(b!, 1, 0, 2), bExpand: expand(unsqueeze(b!, 0), [2, 2, 3]),
      bPad: pad(b!, [[0, 1], [1, 0]]), bGather: gather(b!, data([1, 0, 1], [3], 'int64'), 1), iGather: gather(i!, data([1, 1], [2], 'int32')),
    }),
  },
  {
    name: 'integer reductions (sum/max/min) and topk on int32/int64',
    inputs: { i: rs.ints([3, 4], -50, 50, 'int32'), l: rs.ints([3, 4], -50, 50, 'int64') },
    build: ({ i, l }) => ({
      iSum: sum(i!, 1), iMax: max(i!, 0), iMin: min(i!), lSum: sum(l!, [0, 1], true), lMax: max(l!, -1), lMin: min(l!, 0),
      iTop: topkIndices(i!, 2), lTop: topk(l!, 2, 0, false).values,
    }),
  },
]);

// ---------------------------------------------------------------------------------------------
// Scans: cumsum, fullLike, positionsLike
// ---------------------------------------------------------------------------------------------

const rc = new Rand(14);
suite('cumsum, fullLike, positionsLike', [
  {
    name: 'cumsum (float32) along each axis, reversed, size-1 and empty dims',
    inputs: { x: rc.normal([2, 3, 4]), one: rc.normal([1, 5]), empty: rc.normal([0, 3]), wide: rc.normal([3, 0]) },
    grad: ['x', 'one', 'empty'],
    build: ({ x, one, empty, wide }) => ({
      a0: cumsum(x!, 0), a1: cumsum(x!, 1), aLast: cumsum(x!, -1), rev: cumsum(x!, 2, true), rev0: cumsum(x!, 0, true),
      one0: cumsum(one!, 0), one1: cumsum(one!, 1, true), empty: cumsum(empty!, 1), emptyAxis: cumsum(wide!, 1),
    }),
    check: (v) => {
      expect(v.emptyAxis!.shape).toEqual([3, 0]);
      // reversed cumsum's first element is the plain cumsum's last, along the same axis
      expect(vals(v, 'rev')[0]).toBeCloseTo(vals(v, 'aLast')[3]!, 5);
    },
  },
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `cumsum on ${dtype}, positionsLike`,
      inputs: { i: rc.ints([2, 5], -5, 5, dtype), mask: data([0, 0, 1, 1, 1, 1, 1, 1, 1, 0], [2, 5], dtype) },
      build: ({ i, mask }) => ({
        cum: cumsum(i!, 1), cumRev: cumsum(i!, 0, true), fromMask: cumsum(mask!, 1).sub(1).maximum(0),
        pos: positionsLike(i!, 1), pos0: positionsLike(i!, 0, 'int32'), posF: positionsLike(mask!, 1, 'float32'),
      }),
      check: (v) => expect(vals(v, 'pos')).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]),
    }),
  ),
  {
    name: 'fullLike in several dtypes, of an empty tensor, of a lazy tensor',
    inputs: { x: rc.normal([2, 3]), e: rc.normal([0, 4]) },
    build: ({ x, e }) => ({
      f: fullLike(x!, 2.5), i64: fullLike(x!, -3, 'int64'), i32: fullLike(x!, 7, 'int32'), b: fullLike(x!, 1, 'bool'), empty: fullLike(e!, 1),
      lazy: fullLike(x!.mul(2).sum(0), -1), neg: fullLike(x!, -Infinity),
    }),
    check: (v) => expect(vals(v, 'lazy')).toEqual([-1, -1, -1]),
  },
]);

// ---------------------------------------------------------------------------------------------
// Indexing
// ---------------------------------------------------------------------------------------------

const ri = new Rand(12);
suite('gather, embedding, indexSelect, gatherElements, topk', [
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `gather/embedding/indexSelect with ${dtype} ids (repeated, negative, 2-D, scalar, empty)`,
      inputs: {
        w: ri.normal([5, 3]),
        x: ri.normal([2, 4, 3]),
        ids: data([1, 3, 1, 0, 4, 1], [2, 3], dtype),
        flat: data([4, 0, 0, 2], [4], dtype),
        neg: data([-1, 0, -5], [3], dtype),
        one: data([2], [], dtype),
        none: data([], [0], dtype),
        ax1: data([3, 3, 0, 1], [2, 2], dtype),
      },
      grad: ['w', 'x'],
      build: ({ w, x, ids, flat, neg, one, none, ax1 }) => ({
        embedding: embedding(w!, ids!), indexSelect0: indexSelect(w!, 0, flat!), indexSelect1: indexSelect(x!, 1, flat!.slice(0, 1, 3)),
        negative: gather(w!, neg!), scalar: gather(x!, one!, 1), empty: gather(w!, none!), axis1: gather(x!, ax1!, 1), last: x!.gather(neg!.slice(0, 0, 2), -1),
      }),
      check: (v) => {
        expect(v.axis1!.shape).toEqual([2, 2, 2, 3]);
        expect(v.scalar!.shape).toEqual([2, 3]);
        // ids [-1, 0, -5] address rows 4, 0, 0: the first three rows of indexSelect([4, 0, 0, 2])
        expect(vals(v, 'negative')).toEqual(vals(v, 'indexSelect0').slice(0, 9));
      },
    }),
  ),
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `gatherElements with ${dtype} indices along axes 0 and 1 (repeats, smaller index shape)`,
      inputs: { x: ri.normal([3, 4]), i0: ri.ints([2, 4], 0, 3, dtype), i1: ri.ints([3, 6], 0, 4, dtype), small: ri.ints([2, 2], -4, 4, dtype) },
      grad: ['x'],
      build: ({ x, i0, i1, small }) => ({ axis0: gatherElements(x!, i0!, 0), axis1: gatherElements(x!, i1!, 1), small: gatherElements(x!, small!, -1) }),
    }),
  ),
  {
    name: 'topk values and indices: largest/smallest, axis -1 and 0, k = full dim, k = 0, size-1',
    inputs: { x: ri.distinct([3, 6]), one: ri.distinct([1, 5]) },
    grad: ['x', 'one'],
    build: ({ x, one }) => {
      const a = topk(x!, 2), b = topk(x!, 2, 0, false), c = topk(x!, 6, -1, false), z = topk(x!, 0), o = topk(one!, 3, 1);
      return {
        aV: a.values, aI: a.indices, bV: b.values, bI: b.indices, cV: c.values, cI: c.indices, zV: z.values, oV: o.values, oI: o.indices,
        idx: topkIndices(one!, 1, 0),
      };
    },
    check: (v) => {
      const row = vals(v, 'aV').slice(0, 2);
      expect(row[0]!).toBeGreaterThan(row[1]!);
    },
  },
  {
    name: 'topk with ties keeps the lower index first',
    inputs: { x: data([1, 3, 3, 2, 5, 5, 5, 0], [2, 4]) },
    build: ({ x }) => ({ largest: topk(x!, 2).indices, smallest: topkIndices(x!, 2, -1, false) }),
    check: (v) => expect(vals(v, 'largest')).toEqual([1, 2, 0, 1]),
  },
]);

// ---------------------------------------------------------------------------------------------
// Losses, dropout, rotary
// ---------------------------------------------------------------------------------------------

/** F.cross_entropy reference in float64 (label smoothing, ignore index, mean over kept rows). */
function crossEntropyRef(logits: number[], n: number, c: number, targets: number[], smoothing: number, ignore: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.slice(i * c, (i + 1) * c);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    if (targets[i] === ignore) {
      rows.push(0);
      continue;
    }
    const nll = lse - row[targets[i]!]!;
    const smooth = lse - row.reduce((s, v) => s + v, 0) / c;
    rows.push((1 - smoothing) * nll + smoothing * smooth);
  }
  return rows;
}

const rl = new Rand(13);
const ceLogits = rl.normal([6, 5], { std: 2 });
suite('losses, dropout, rotary', [
  ...(['int64', 'int32'] as const).map(
    (dtype): Case => ({
      name: `crossEntropy with ${dtype} targets: plain, label smoothing, ignoreIndex, reductions`,
      inputs: { logits: ceLogits, t: data([1, -100, 4, 0, 2, -100], [6], dtype), t3: data([1, 3, 4, 0, 3, 2], [6], dtype) },
      grad: ['logits'],
      build: ({ logits, t, t3 }) => ({
        mean: crossEntropy(logits!, t!),
        smooth: crossEntropy(logits!, t!, { labelSmoothing: 0.1 }),
        sum: crossEntropy(logits!, t!, { labelSmoothing: 0.2, reduction: 'sum' }),
        none: crossEntropy(logits!, t3!, { ignoreIndex: 3, labelSmoothing: 0.05, reduction: 'none' }),
      }),
      check: (v) => {
        const l = Array.from(ceLogits.dataSync() as Float32Array);
        const ref = crossEntropyRef(l, 6, 5, [1, -100, 4, 0, 2, -100], 0.1, -100);
        expect(vals(v, 'smooth')[0]).toBeCloseTo(ref.reduce((s, x) => s + x, 0) / 4, 5);
        const none = crossEntropyRef(l, 6, 5, [1, 3, 4, 0, 3, 2], 0.05, 3);
        none.forEach((x, i) => expect(vals(v, 'none')[i]).toBeCloseTo(x, 5));
      },
    }),
  ),
  {
    name: 'klDiv with probability targets (incl. zeros) and log targets, every reduction',
    inputs: { x: rl.normal([3, 4]), t: data([0.1, 0.2, 0.3, 0.4, 0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25], [3, 4]), lt: rl.normal([3, 4]) },
    grad: ['x', 't', 'lt'],
    build: ({ x, t, lt }) => {
      const input = logSoftmax(x!), logTarget = logSoftmax(lt!);
      return {
        batchmean: klDiv(input, t!), sum: klDiv(input, t!, { reduction: 'sum' }), mean: klDiv(input, t!, { reduction: 'mean' }), none: klDiv(input, t!, { reduction: 'none' }),
        logBatchmean: klDiv(input, logTarget, { logTarget: true }), logNone: klDiv(input, logTarget, { logTarget: true, reduction: 'none' }),
      };
    },
    check: (v) => {
      expect(vals(v, 'none')[4]).toBe(0);
      expect(vals(v, 'batchmean')[0]).toBeCloseTo(vals(v, 'sum')[0]! / 3, 6);
    },
  },
  {
    name: 'dropout with a seeded Generator: the same mask on both backends',
    inputs: { x: rl.normal([4, 8]) },
    grad: ['x'],
    build: ({ x }) => ({ train: dropout(x!, 0.3, new Generator(42)), eval: dropout(x!, 0.3, new Generator(42), false).mul(1) }),
    check: (v) => {
      const y = vals(v, 'train'), x = vals(v, 'eval');
      const zeros = y.filter((e) => e === 0).length;
      expect(zeros).toBeGreaterThan(2);
      expect(zeros).toBeLessThan(20);
      y.forEach((e, i) => (e === 0 ? undefined : expect(e).toBeCloseTo(x[i]! / 0.7, 5)));
    },
  },
  {
    name: 'applyRotary with per-row positions (left padding) and shared tables',
    inputs: {
      x: rl.normal([2, 3, 4, 8]),
      ...(() => {
        const own = rotaryTables([[0, 1, 2, 3], [0, 0, 1, 2]], 8);
        const shared = rotaryTables([[5, 6, 7, 8]], 8, 500);
        return { cos: own.cos, sin: own.sin, cos1: shared.cos, sin1: shared.sin };
      })(),
    },
    grad: ['x'],
    build: ({ x, cos, sin, cos1, sin1 }) => ({ own: applyRotary(x!, cos!, sin!), shared: applyRotary(x!, cos1!, sin1!) }),
  },
]);

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

describe('rotaryTables', () => {
  it('match the closed form cos/sin(pos · θ^(−2j/d)) with duplicated halves', () => {
    const { cos, sin } = rotaryTables([[0, 3], [7, 1]], 6, 100);
    expect(cos.shape).toEqual([2, 1, 2, 6]);
    const c = cos.dataSync(), s = sin.dataSync();
    const positions = [0, 3, 7, 1];
    positions.forEach((p, row) => {
      for (let j = 0; j < 6; j++) {
        const angle = p * 100 ** (-(2 * (j % 3)) / 6);
        expect(c[row * 6 + j]).toBeCloseTo(Math.cos(angle), 5);
        expect(s[row * 6 + j]).toBeCloseTo(Math.sin(angle), 5);
      }
    });
  });
});

describe('Tensor methods', () => {
  it('each method computes exactly what the function of the same name does', async () => {
    const a = new Rand(30).uniform([3, 4], 0.2, 2), b = new Rand(31).nonzero([3, 4]), m = new Rand(32).bools([3, 4]);
    const build = (): Record<string, Tensor> => {
      const x = fresh(a), y = fresh(b), mask = fresh(m);
      const pairs: Record<string, [Tensor, Tensor]> = {
        add: [x.add(y), add(x, y)], sub: [x.sub(y), sub(x, y)], mul: [x.mul(y), mul(x, y)], div: [x.div(y), div(x, y)], pow: [x.pow(y), pow(x, y)],
        maximum: [x.maximum(y), maximum(x, y)], minimum: [x.minimum(y), minimum(x, y)], eq: [x.eq(y), equal(x, y)], lt: [x.lt(y), less(x, y)], gt: [x.gt(y), greater(x, y)],
        neg: [y.neg(), neg(y)], exp: [y.exp(), exp(y)], log: [x.log(), log(x)], sqrt: [x.sqrt(), sqrt(x)], rsqrt: [x.rsqrt(), rsqrt(x)], abs: [y.abs(), abs(y)],
        tanh: [y.tanh(), tanh(y)], sigmoid: [y.sigmoid(), sigmoid(y)], relu: [y.relu(), relu(y)], silu: [y.silu(), silu(y)], gelu: [y.gelu(), gelu(y)],
        geluTanh: [y.gelu('tanh'), gelu(y, 'tanh')], softplus: [y.softplus(), softplus(y)], clamp: [y.clamp(-1, 1), clamp(y, -1, 1)],
        sum: [y.sum(1, true), sum(y, 1, true)], mean: [y.mean(0), mean(y, 0)], max: [y.max(1), max(y, 1)], min: [y.min(), min(y)], logsumexp: [y.logsumexp(1), logsumexp(y, 1)],
        argmax: [y.argmax(1), argmax(y, 1)], softmax: [y.softmax(0), softmax(y, 0)], logSoftmax: [y.logSoftmax(), logSoftmax(y)], matmul: [x.matmul(y.transpose()), matmul(x, transpose(y))],
        reshape: [y.reshape([2, 6]), reshape(y, [2, 6])], permute: [y.permute([1, 0]), permute(y, [1, 0])], transpose: [y.transpose(0, 1), transpose(y, 0, 1)],
        expand: [y.unsqueeze(0).expand([2, 3, 4]), expand(unsqueeze(y, 0), [2, 3, 4])], squeeze: [y.reshape([3, 1, 4]).squeeze(1), squeeze(reshape(y, [3, 1, 4]), 1)],
        slice: [y.slice(1, 1, 3), slice(y, 1, 1, 3)], gather: [y.gather(data([2, 0], [2], 'int64'), 1), gather(y, data([2, 0], [2], 'int64'), 1)],
        maskedFill: [y.maskedFill(mask, 9), maskedFill(y, mask, 9)], where: [x.where(mask, y), where(mask, x, y)], cast: [y.cast('int32'), cast(y, 'int32')],
        normalize: [y.normalize(0), normalize(y, 0)],
      };
      return Object.fromEntries(Object.entries(pairs).flatMap(([k, [p, q]]) => [[`${k}.method`, p], [`${k}.fn`, q]]));
    };
    const v = await runOn('js', build);
    const names = Object.keys(v).filter((k) => k.endsWith('.method')).map((k) => k.slice(0, -'.method'.length));
    expect(names.length).toBe(44);
    for (const k of names) expect(v[`${k}.method`], k).toEqual(v[`${k}.fn`]);
  });
});

describe('comparison harness', () => {
  it('catches a disagreement and names the worst element', async () => {
    const x = new Rand(1).normal([2, 3]);
    const a = await runOn('js', () => ({ y: fresh(x).mul(2) }));
    const b = await runOn('ort', () => ({ y: fresh(x).mul(2).add(data([0, 0, 0, 0, 1e-3, 0], [2, 3])) }));
    expect(() => expectSameValues(b, a, { labels: ['ort', 'js'] })).toThrow(/worst element \[1,1\]/);
  });
});
