import { reduce } from './reduce.js';
import { reshape } from './shape-ops.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Undoes broadcasting: sums dy over the dims that were broadcast to reach its shape. */
export function sumTo(dy: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(dy.shape, shape)) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  return reshape(reduce('sum', dy, axes, true), shape);
}
