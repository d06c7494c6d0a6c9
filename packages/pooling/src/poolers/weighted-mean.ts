import { clamp, div, maskAsFloat, mul, sum, type Tensor, tokenCounts } from '@retrievals/core-tensor';
import type { Pooler } from '../registry.js';
import { checkInputs, weightedSum } from '../mask.js';

/**
 * `weightedmean`: SGPT's position-weighted mean, token i of a text weighted by i (1-based), so later
 * tokens — which a causal model has seen more context for — count more. The weight is the token's
 * position within its text (a running count of the mask), not its index in the padded row: for
 * right padding that equals sentence-transformers' `arange(1, T+1)`, and left padding gives the
 * same vector instead of shifting every weight by the number of pads.
 */
export const weightedMeanPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  checkInputs('weightedmean', hidden, mask);
  const m = maskAsFloat(mask, hidden.dtype);
  const w = mul(tokenCounts(mask, hidden.dtype), m);
  return div(weightedSum(hidden, w), clamp(sum(w, 1, true), 1e-9));
};
