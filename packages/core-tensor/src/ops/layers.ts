import { allocate } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Generator } from '../random.js';
import { fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gather } from './index-ops.js';
import { add, mul } from './math.js';
import { matmul } from './matmul.js';
import { transpose } from './shape-ops.js';

/** x @ wᵀ + b with PyTorch's [out, in] weight layout. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const features = x.shape[x.rank - 1], expects = weight.shape[weight.rank - 1];
  if (features !== expects) throw new ShapeError(`linear: input ${fmt(x.shape)} has ${features} features, weight ${fmt(weight.shape)} ([out, in]) takes ${expects}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[weight.rank - 2])) {
    throw new ShapeError(`linear: bias ${fmt(bias.shape)} does not match weight ${fmt(weight.shape)} ([out, in]: bias [out])`);
  }
  const y = matmul(x, transpose(weight));
  return bias ? add(y, bias) : y;
}

export const embedding = (weight: Tensor, ids: Tensor) => gather(weight, ids, 0);

/** index_select along an axis with a 1-D index. */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  if (index.rank !== 1) throw new ShapeError(`indexSelect: index must be 1-D, got ${fmt(index.shape)}`);
  return gather(x, index, axis);
}

/** Inverted dropout with a mask drawn from the run's generator (the same on every backend). */
export function dropout(x: Tensor, p: number, gen: Generator, training = true): Tensor {
  if (!training || p === 0) return x;
  if (!(p >= 0 && p < 1)) throw new DTypeError(`dropout: p must be in [0, 1), got ${p}`);
  const mask = allocate(x.dtype, x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = gen.uniform() >= p ? scale : 0;
  return mul(x, new Tensor({ shape: x.shape, dtype: x.dtype, buffer: mask }));
}

