import { clamp, div, maskAsFloat, sqrt, sum, type Tensor } from '@retrievals/core-tensor';
import type { Pooler } from '../registry.js';
import { checkInputs, weightedSum } from '../mask.js';

/** `mean` / `avg`: the average over real tokens (sentence-transformers' clamp of the count at 1e-9). */
export const meanPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  checkInputs('mean', hidden, mask);
  const m = maskAsFloat(mask, hidden.dtype);
  return div(weightedSum(hidden, m), clamp(sum(m, 1, true), 1e-9));
};

/** `mean_sqrt_len`: the sum over real tokens divided by √(token count), as sentence-transformers. */
export const meanSqrtLenPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  checkInputs('mean_sqrt_len', hidden, mask);
  const m = maskAsFloat(mask, hidden.dtype);
  return div(weightedSum(hidden, m), sqrt(clamp(sum(m, 1, true), 1e-9)));
};
