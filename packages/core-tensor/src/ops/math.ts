import { DTypeError } from '../errors.js';
import { normAxes } from '../shape.js';
import { type Tensor } from '../tensor.js';
import { binary, cast, type TensorLike, unary, where } from './elementwise.js';
import { type Axes, reduce } from './reduce.js';
import { expand } from './shape-ops.js';

export const add = (a: TensorLike, b: TensorLike) => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike) => binary('div', a, b);
export const pow = (a: TensorLike, b: TensorLike) => binary('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike) => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary('minimum', a, b);
export const equal = (a: TensorLike, b: TensorLike) => binary('equal', a, b);
export const less = (a: TensorLike, b: TensorLike) => binary('less', a, b);
export const greater = (a: TensorLike, b: TensorLike) => binary('greater', a, b);
export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const rsqrt = (x: Tensor) => unary('reciprocal', unary('sqrt', x));
export const abs = (x: Tensor) => unary('abs', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const erf = (x: Tensor) => unary('erf', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);

export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let y = x;
  if (min !== undefined) y = maximum(y, min);
  if (max !== undefined) y = minimum(y, max);
  return y;
}

/** Fills where mask is true (mask broadcasts), like torch.masked_fill. */
export const maskedFill = (x: Tensor, mask: Tensor, value: number) => where(mask, value, x);

export const sum = (x: Tensor, axes?: Axes, keepdim = false) => reduce('sum', x, axes, keepdim);
export const max = (x: Tensor, axes?: Axes, keepdim = false) => reduce('max', x, axes, keepdim);
export const min = (x: Tensor, axes?: Axes, keepdim = false) => reduce('min', x, axes, keepdim);

export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return div(reduce('sum', x, ax, keepdim), count);
}

/** True where finite (not ±Inf, not NaN). */
export const isFinite = (x: Tensor) => less(abs(x), Infinity);

/** log Σ exp, stable: the max is subtracted (and treated as a constant, which is exact). */
export function logsumexp(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('logsumexp', axes, x.rank);
  const m0 = reduce('max', x.detach(), ax, true);
  const m = where(isFinite(m0), m0, 0);
  const s = log(reduce('sum', exp(sub(x, expand(m, x.shape))), ax, true));
  const out = add(s, m);
  return keepdim ? out : reduce('sum', out, ax, false);
}

export function requireFloat(op: string, x: Tensor): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new DTypeError(`${op}: needs float32 or float64, got ${x.dtype}`);
}

export const toFloat = (x: Tensor) => cast(x, 'float32');
