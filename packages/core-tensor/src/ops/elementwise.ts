import { type DType, dtypeInfo, isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { constant, makeOp, type Tensor } from '../tensor.js';

export type TensorLike = Tensor | number;

/** Numbers become constants of the other operand's dtype (like PyTorch's scalar promotion). */
export function lift(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? constant(x, like.dtype) : x;
}

export const UNARY_OPS = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (op !== 'identity' && op !== 'neg' && op !== 'abs' && op !== 'sign' && !isFloat(x.dtype)) {
    throw new DTypeError(`${op}: needs a float tensor, got ${x.dtype}`);
  }
  return makeOp(op, [x], {}, x.shape, x.dtype, op !== 'sign');
}

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
  const out: DType = isCompare ? 'bool' : ta.dtype;
  return makeOp(op, [ta, tb], {}, shape, out, !isCompare && !isLogic && isFloat(ta.dtype));
}

export function not(x: Tensor): Tensor {
  if (x.dtype !== 'bool') throw new DTypeError(`not: needs a bool tensor, got ${x.dtype}`);
  return makeOp('not', [x], {}, x.shape, 'bool', false);
}

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

export function cast(x: Tensor, to: DType): Tensor {
  dtypeInfo(to); // an unknown dtype fails here, not inside a backend
  if (x.dtype === to) return x;
  return makeOp('cast', [x], { to }, x.shape, to, isFloat(x.dtype) && isFloat(to));
}
