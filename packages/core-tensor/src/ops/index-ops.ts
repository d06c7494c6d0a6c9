import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { fmt, normAxis } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';
import { rejectBool } from './reduce.js';

function checkIndex(op: string, idx: Tensor): void {
  if (idx.dtype !== 'int32' && idx.dtype !== 'int64') throw new DTypeError(`${op}: indices must be int32 or int64, got ${idx.dtype}`);
}

/** index_select generalised to any index shape: out = x.shape[:axis] + idx.shape + x.shape[axis+1:]. */
export function gather(x: Tensor, idx: Tensor, axis = 0): Tensor {
  checkIndex('gather', idx);
  const a = normAxis('gather', axis, x.rank);
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  return makeOp('gather', [x, idx], { axis: a }, shape, x.dtype, isFloat(x.dtype));
}

/** torch.gather: out[i][j] = x[i][idx[i][j]] along the axis; idx has x's rank. */
export function gatherElements(x: Tensor, idx: Tensor, axis: number): Tensor {
  checkIndex('gatherElements', idx);
  const a = normAxis('gatherElements', axis, x.rank);
  if (idx.rank !== x.rank || idx.shape.some((d, i) => i !== a && d > x.shape[i]!)) {
    throw new ShapeError(`gatherElements: index shape ${fmt(idx.shape)} does not fit ${fmt(x.shape)} along axis ${axis}`);
  }
  return makeOp('gatherElements', [x, idx], { axis: a }, idx.shape, x.dtype, isFloat(x.dtype));
}

/** Gradient of gather: rows of `updates` added into a zero tensor whose dim `axis` is `dim`. */
export function gatherGrad(idx: Tensor, updates: Tensor, axis: number, dim: number): Tensor {
  const shape = [...updates.shape.slice(0, axis), dim, ...updates.shape.slice(axis + idx.rank)];
  return makeOp('gatherGrad', [idx, updates], { axis, dim }, shape, updates.dtype);
}

/** Gradient of gatherElements: updates added into zeros(shape) at idx along the axis. */
export function scatterElementsAdd(idx: Tensor, updates: Tensor, axis: number, shape: readonly number[]): Tensor {
  return makeOp('scatterElementsAdd', [idx, updates], { axis, shape: [...shape] }, shape, updates.dtype);
}

/** Indices of the k largest (or smallest) values along an axis, sorted; no gradient. */
export function topkIndices(x: Tensor, k: number, axis = -1, largest = true): Tensor {
  rejectBool('topk', x);
  const a = normAxis('topk', axis, x.rank);
  if (!Number.isInteger(k) || k < 0 || k > x.shape[a]!) throw new ShapeError(`topk: k=${k} out of range for dim ${axis} of ${fmt(x.shape)}`);
  const shape = [...x.shape];
  shape[a] = k;
  return makeOp('topk', [x], { k, axis: a, largest }, shape, 'int64', false);
}

export function topk(x: Tensor, k: number, axis = -1, largest = true): { values: Tensor; indices: Tensor } {
  const indices = topkIndices(x, k, axis, largest);
  return { values: gatherElements(x, indices, axis), indices };
}
