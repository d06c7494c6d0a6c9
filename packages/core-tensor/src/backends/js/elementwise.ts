import { castArray } from '../../dtype.js';
import { numel, sameShape } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { broadcastOffsets, erf, finish, nums, out } from './util.js';

const UNARY: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  erf,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN), // NaN stays NaN, as in onnxruntime
  identity: (x) => x,
  not: (x) => (x ? 0 : 1),
};
for (const [op, f] of Object.entries(UNARY)) {
  registerJsKernel(op, ([x], _infos, node) => {
    const a = nums(x!);
    const o = out(node.dtype, a.length);
    for (let i = 0; i < a.length; i++) o[i] = f(a[i]!);
    return finish(o, node.dtype);
  });
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // C's pow (onnxruntime, PyTorch): 1^y = 1 for any y, (−1)^±∞ = 1, where JS's ** gives NaN
  pow: (a, b) => (a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : a ** b),
  // NaN propagates, as in PyTorch and onnxruntime
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  equal: (a, b) => (a === b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  and: (a, b) => (a && b ? 1 : 0),
  or: (a, b) => (a || b ? 1 : 0),
};
for (const [op, f] of Object.entries(BINARY)) {
  registerJsKernel(op, ([x, y], infos, node) => {
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
  });
}

registerJsKernel('where', ([c, x, y], infos, node) => {
  const cond = nums(c!), a = nums(x!), b = nums(y!);
  const n = numel(node.shape);
  const [oc, oa, ob] = infos.map((info) => broadcastOffsets(node.shape, info.shape));
  const o = out(node.dtype, n);
  for (let i = 0; i < n; i++) o[i] = cond[oc![i]!] ? a[oa![i]!]! : b[ob![i]!]!;
  return finish(o, node.dtype);
});

registerJsKernel('cast', ([x], infos, node) => castArray(x!, infos[0]!.dtype, node.dtype));

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
registerJsKernel('gelu', ([x], _infos, node) => {
  const a = x as Float32Array;
  const o = out(node.dtype, a.length);
  if (node.attrs.approximate === 'tanh') {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      o[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  } else for (let i = 0; i < a.length; i++) o[i] = 0.5 * a[i]! * (1 + erf(a[i]! * Math.SQRT1_2));
  return finish(o, node.dtype);
});
