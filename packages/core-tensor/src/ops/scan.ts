import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { normAxis } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';

/** Running sum along an axis (torch.cumsum); `reverse` sums from the end. */
export function cumsum(x: Tensor, axis: number, reverse = false): Tensor {
  const a = normAxis('cumsum', axis, x.rank);
  return makeOp('cumsum', [x], { axis: a, reverse }, x.shape, x.dtype, isFloat(x.dtype));
}

/**
 * A tensor of x's shape filled with a value, computed in the graph from x's shape, so an exported
 * model derives it from its inputs' sizes (torch.full_like).
 */
export function fullLike(x: Tensor, value: number, dtype: DType = x.dtype): Tensor {
  return makeOp('fullLike', [x], { value, dtype }, x.shape, dtype, false);
}

/** 0, 1, 2, ... along an axis, broadcast over the other dims of x (position ids from input ids). */
export function positionsLike(x: Tensor, axis: number, dtype: DType = 'int64'): Tensor {
  return cumsum(fullLike(x, 1, dtype), axis).sub(1);
}
