import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, fmt } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';

/** Matrix product over the last two dims, batch dims broadcast (rank ≥ 2 on both sides). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new ShapeError(`matmul: both operands need rank ≥ 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.dtype !== b.dtype) throw new DTypeError(`matmul: dtypes differ (${a.dtype} and ${b.dtype})`);
  const m = a.shape[a.rank - 2]!, k = a.shape[a.rank - 1]!;
  const k2 = b.shape[b.rank - 2]!, n = b.shape[b.rank - 1]!;
  if (k !== k2) throw new ShapeError(`matmul: inner dims differ: ${fmt(a.shape)} @ ${fmt(b.shape)} (${k} vs ${k2})`);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`matmul: batch dims of ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast together`);
  }
  return makeOp('matmul', [a, b], {}, [...batch, m, n], a.dtype);
}
