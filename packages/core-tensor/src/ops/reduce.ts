import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { normAxes, normAxis } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';

export type Axes = number | readonly number[] | undefined;

export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

export type ReduceOp = 'sum' | 'max' | 'min';

/** ONNX has no bool ReduceSum/ReduceMax/ReduceMin/ArgMax/TopK (and a bool cannot hold a count). */
export function rejectBool(op: string, x: Tensor): void {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: cannot reduce a bool tensor; cast it first (e.g. to float32 or int64)`);
}

export function reduce(op: ReduceOp, x: Tensor, axes: Axes, keepdim = false): Tensor {
  rejectBool(op, x);
  const ax = normAxes(op, axes, x.rank);
  if (ax.length === 0) return x;
  if (op !== 'sum' && ax.some((a) => x.shape[a] === 0)) throw new DTypeError(`${op}: cannot reduce an empty dimension`);
  return makeOp(op, [x], { axes: ax, keepdim }, reducedShape(x.shape, ax, keepdim), x.dtype, isFloat(x.dtype));
}

export function argmax(x: Tensor, axis: number, keepdim = false): Tensor {
  rejectBool('argmax', x);
  const a = normAxis('argmax', axis, x.rank);
  if (x.shape[a] === 0) throw new DTypeError('argmax: cannot reduce an empty dimension');
  return makeOp('argmax', [x], { axis: a, keepdim }, reducedShape(x.shape, [a], keepdim), 'int64', false);
}
