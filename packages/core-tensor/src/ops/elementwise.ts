import { castArray, type DType, dtypeInfo, isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { ONNX_DTYPE } from '../onnx/model.js';
import { broadcastShapes, numel, sameShape } from '../shape.js';
import { constant, makeOp, type Tensor } from '../tensor.js';
import { broadcastOffsets, erf, finish, nums, out } from '../backends/js/util.js';
import { sumTo } from './sum-to.js';
import { defineOp, type GradFn, NOT_DIFFERENTIABLE, type OpName } from './table.js';

export type TensorLike = Tensor | number;

/** Numbers become constants of the other operand's dtype (like PyTorch's scalar promotion). */
export function lift(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? constant(x, like.dtype) : x;
}

// ---- unary ----

/** Each unary op: its ONNX name and its value in float64 (the js backend's reference arithmetic). */
const UNARY = {
  neg: ['Neg', (x: number) => -x],
  exp: ['Exp', Math.exp],
  log: ['Log', Math.log],
  sqrt: ['Sqrt', Math.sqrt],
  abs: ['Abs', Math.abs],
  tanh: ['Tanh', Math.tanh],
  sigmoid: ['Sigmoid', (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))],
  erf: ['Erf', erf],
  reciprocal: ['Reciprocal', (x: number) => 1 / x],
  sin: ['Sin', Math.sin],
  cos: ['Cos', Math.cos],
  sign: ['Sign', (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN)], // NaN stays NaN, as in onnxruntime
  identity: ['Identity', (x: number) => x],
  not: ['Not', (x: number) => (x ? 0 : 1)],
} as const satisfies Record<string, readonly [string, (x: number) => number]>;

export const UNARY_OPS = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (op !== 'identity' && op !== 'neg' && op !== 'abs' && op !== 'sign' && !isFloat(x.dtype)) {
    throw new DTypeError(`${op}: needs a float tensor, got ${x.dtype}`);
  }
  return makeOp(op, [x], {}, x.shape, x.dtype, op !== 'sign');
}

export function not(x: Tensor): Tensor {
  if (x.dtype !== 'bool') throw new DTypeError(`not: needs a bool tensor, got ${x.dtype}`);
  return makeOp('not', [x], {}, x.shape, 'bool', false);
}

const mul = (a: Tensor, b: Tensor | number) => binary('mul', a, b);
const one = (fn: (x: Tensor, dy: Tensor, out: Tensor) => Tensor): GradFn => (dy, node, o) => [fn(node.inputs[0]!, dy, o)];
const UNARY_GRADS: Record<keyof typeof UNARY, GradFn | typeof NOT_DIFFERENTIABLE> = {
  neg: one((_x, dy) => unary('neg', dy)),
  identity: one((_x, dy) => dy),
  exp: one((_x, dy, o) => mul(dy, o)),
  log: one((x, dy) => binary('div', dy, x)),
  sqrt: one((_x, dy, o) => binary('div', mul(dy, 0.5), o)),
  abs: one((x, dy) => mul(dy, unary('sign', x))),
  tanh: one((_x, dy, o) => mul(dy, binary('sub', 1, mul(o, o)))),
  sigmoid: one((_x, dy, o) => mul(dy, mul(o, binary('sub', 1, o)))),
  erf: one((x, dy) => mul(dy, mul(unary('exp', unary('neg', mul(x, x))), 2 / Math.sqrt(Math.PI)))),
  reciprocal: one((_x, dy, o) => unary('neg', mul(dy, mul(o, o)))),
  sin: one((x, dy) => mul(dy, unary('cos', x))),
  cos: one((x, dy) => unary('neg', mul(dy, unary('sin', x)))),
  sign: NOT_DIFFERENTIABLE,
  not: NOT_DIFFERENTIABLE,
};

for (const [op, [onnx, f]] of Object.entries(UNARY) as [keyof typeof UNARY, (typeof UNARY)[keyof typeof UNARY]][]) {
  defineOp(op, {
    grad: UNARY_GRADS[op],
    js: ([x], _infos, node) => {
      const a = nums(x!);
      const o = out(node.dtype, a.length);
      for (let i = 0; i < a.length; i++) o[i] = f(a[i]!);
      return finish(o, node.dtype);
    },
    onnx: (ctx, ins, _n, output) => ctx.emit(onnx, ins, undefined, output),
  });
}

// ---- binary ----

export const ARITH_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const COMPARE_OPS = ['equal', 'less', 'greater'] as const;
export const LOGIC_OPS = ['and', 'or'] as const;
export type BinaryOp = (typeof ARITH_OPS)[number] | (typeof COMPARE_OPS)[number] | (typeof LOGIC_OPS)[number];

export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new DTypeError(`${op}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? lift(a, b as Tensor) : a;
  const tb = lift(b, ta);
  if (ta.dtype !== tb.dtype) throw new DTypeError(`${op}: dtypes differ (${ta.dtype} and ${tb.dtype}); cast one first`);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const isLogic = (LOGIC_OPS as readonly string[]).includes(op);
  if (isLogic !== (ta.dtype === 'bool')) throw new DTypeError(`${op}: ${isLogic ? 'needs bool tensors' : 'does not take bool tensors'}, got ${ta.dtype}`);
  if (op === 'pow' && !isFloat(ta.dtype)) throw new DTypeError(`pow: needs float tensors, got ${ta.dtype}`);
  const isCompare = (COMPARE_OPS as readonly string[]).includes(op);
  const dtype: DType = isCompare ? 'bool' : ta.dtype;
  return makeOp(op, [ta, tb], {}, shape, dtype, !isCompare && !isLogic && isFloat(ta.dtype));
}

/** A binary gradient: fn gives the unreduced gradients, summed back over broadcast dims here. */
const two =
  (fn: (a: Tensor, b: Tensor, dy: Tensor, out: Tensor) => [Tensor | undefined, Tensor | undefined]): GradFn =>
  (dy, node, o) => {
    const [a, b] = node.inputs as [Tensor, Tensor];
    const [ga, gb] = fn(a, b, dy, o);
    return [a.requiresGrad && ga ? sumTo(ga, a.shape) : undefined, b.requiresGrad && gb ? sumTo(gb, b.shape) : undefined];
  };

// Ties split the gradient evenly, as PyTorch's maximum/minimum do.
const pick = (op: 'greater' | 'less') =>
  two((a, b, dy) => {
    const win = cast(binary(op, a, b), dy.dtype);
    const tie = mul(cast(binary('equal', a, b), dy.dtype), 0.5);
    return [mul(dy, binary('add', win, tie)), mul(dy, binary('sub', binary('sub', 1, win), tie))];
  });

const BINARY: Record<BinaryOp, [string, (a: number, b: number) => number, GradFn | typeof NOT_DIFFERENTIABLE]> = {
  add: ['Add', (a, b) => a + b, two((_a, _b, dy) => [dy, dy])],
  sub: ['Sub', (a, b) => a - b, two((_a, _b, dy) => [dy, unary('neg', dy)])],
  mul: ['Mul', (a, b) => a * b, two((a, b, dy) => [mul(dy, b), mul(dy, a)])],
  div: ['Div', (a, b) => a / b, two((a, b, dy) => [binary('div', dy, b), unary('neg', binary('div', mul(dy, a), mul(b, b)))])],
  // C's pow (onnxruntime, PyTorch): 1^y = 1 for any y, (−1)^±∞ = 1, where JS's ** gives NaN
  pow: [
    'Pow',
    (a, b) => (a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : a ** b),
    two((a, b, dy, o) => [
      mul(mul(dy, b), binary('pow', a, binary('sub', b, 1))),
      b.requiresGrad ? where(binary('greater', a, 0), mul(mul(dy, o), unary('log', binary('maximum', a, constant(1e-30, a.dtype)))), 0) : undefined,
    ]),
  ],
  // NaN propagates, as in PyTorch and onnxruntime
  maximum: ['Max', (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b), pick('greater')],
  minimum: ['Min', (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b), pick('less')],
  equal: ['Equal', (a, b) => (a === b ? 1 : 0), NOT_DIFFERENTIABLE],
  less: ['Less', (a, b) => (a < b ? 1 : 0), NOT_DIFFERENTIABLE],
  greater: ['Greater', (a, b) => (a > b ? 1 : 0), NOT_DIFFERENTIABLE],
  and: ['And', (a, b) => (a && b ? 1 : 0), NOT_DIFFERENTIABLE],
  or: ['Or', (a, b) => (a || b ? 1 : 0), NOT_DIFFERENTIABLE],
};

for (const [op, [onnx, f, grad]] of Object.entries(BINARY) as [BinaryOp, (typeof BINARY)[BinaryOp]][]) {
  defineOp(op, {
    grad,
    js: ([x, y], infos, node) => {
      const a = nums(x!), b = nums(y!);
      const n = numel(node.shape);
      const o = out(node.dtype, n);
      const int = node.dtype === 'int32' || node.dtype === 'int64';
      const g = op === 'div' && int ? (p: number, q: number) => Math.trunc(p / q) : f;
      if (sameShape(infos[0]!.shape, node.shape) && sameShape(infos[1]!.shape, node.shape)) {
        for (let i = 0; i < n; i++) o[i] = g(a[i]!, b[i]!);
      } else {
        const oa = broadcastOffsets(node.shape, infos[0]!.shape), ob = broadcastOffsets(node.shape, infos[1]!.shape);
        for (let i = 0; i < n; i++) o[i] = g(a[oa[i]!]!, b[ob[i]!]!);
      }
      return finish(o, node.dtype);
    },
    onnx: (ctx, ins, _n, output) => ctx.emit(onnx, ins, undefined, output),
  });
}

// ---- where, cast ----

/** Elementwise select with broadcasting: cond ? a : b. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${cond.dtype}`);
  if (typeof a === 'number' && typeof b === 'number') throw new DTypeError('where: at least one branch must be a tensor');
  const ta = typeof a === 'number' ? lift(a, b as Tensor) : a;
  const tb = lift(b, ta);
  if (ta.dtype !== tb.dtype) throw new DTypeError(`where: branch dtypes differ (${ta.dtype} and ${tb.dtype})`);
  const shape = broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  return makeOp('where', [cond, ta, tb], {}, shape, ta.dtype);
}

defineOp('where', {
  grad: (dy, node) => {
    const [c, a, b] = node.inputs as [Tensor, Tensor, Tensor];
    const zero = constant(0, dy.dtype);
    return [
      undefined,
      a.requiresGrad ? sumTo(where(c, dy, zero), a.shape) : undefined,
      b.requiresGrad ? sumTo(where(not(c), dy, zero), b.shape) : undefined,
    ];
  },
  js: ([c, x, y], infos, node) => {
    const cond = nums(c!), a = nums(x!), b = nums(y!);
    const n = numel(node.shape);
    const [oc, oa, ob] = infos.map((info) => broadcastOffsets(node.shape, info.shape));
    const o = out(node.dtype, n);
    for (let i = 0; i < n; i++) o[i] = cond[oc![i]!] ? a[oa![i]!]! : b[ob![i]!]!;
    return finish(o, node.dtype);
  },
  // onnxruntime has no bool Where kernel: bool branches are selected as uint8.
  onnx: (ctx, [c, a, b], n, output) => {
    if (n.dtype !== 'bool') return ctx.emit('Where', [c!, a!, b!], undefined, output);
    const u8 = (v: string) => ctx.emit('Cast', [v], { to: ONNX_DTYPE.uint8 });
    return ctx.emit('Cast', [ctx.emit('Where', [c!, u8(a!), u8(b!)])], { to: ONNX_DTYPE.bool }, output);
  },
});

export function cast(x: Tensor, to: DType): Tensor {
  dtypeInfo(to); // an unknown dtype fails here, not inside a backend
  if (x.dtype === to) return x;
  return makeOp('cast', [x], { to }, x.shape, to, isFloat(x.dtype) && isFloat(to));
}

defineOp('cast', {
  grad: (dy, node) => [cast(dy, node.inputs[0]!.dtype)],
  js: ([x], infos, node) => castArray(x!, infos[0]!.dtype, node.dtype),
  onnx: (ctx, [x], node, output) => ctx.emit('Cast', [x!], { to: ONNX_DTYPE[node.dtype] }, output),
});
