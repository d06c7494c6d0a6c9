import { allocate, arange, cast, full, Tensor, type DType } from '@retrievals/core-tensor';

/** Class-index targets for cross entropy: 0, 1, …, n−1 (the diagonal) or all zeros (column 0). */
export const diagonalTargets = (n: number) => arange(n, 'int64');
export const firstColumnTargets = (n: number) => full([n], 0, 'int64');

/** A data tensor of a float dtype, filled element by element (masks and weight matrices). */
export function filled(shape: readonly number[], dtype: DType, value: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = allocate(dtype, n);
  for (let i = 0; i < n; i++) buf[i] = value(i);
  return new Tensor({ shape, dtype, buffer: buf });
}


/** Labels or scores in the embeddings' float dtype (teacher scores often come as float32 data). */
export const asFloat = (x: Tensor, like: Tensor) => (x.dtype === like.dtype ? x : cast(x, like.dtype));

/**
 * A large negative finite fill for excluded logits: exp of it is exactly 0 in float32 and float64,
 * and unlike −Infinity it cannot turn into NaN through 0·∞ in a gradient.
 */
export const EXCLUDED = -1e12;
