import { cast, equal, maskAsFloat, max, mul, positionRow, type Tensor } from '@retrievals/core-tensor';
import type { Pooler } from '../registry.js';
import { checkInputs, weightedSum } from '../mask.js';

/**
 * `last` / `eos` / `lasttoken`: the hidden state of the last real token, the usual pooling of
 * decoder embedders (e5-mistral, gte-Qwen2, SGPT-style). The position is the largest index whose
 * mask is 1, so left padding (last token at T-1) and right padding (at length-1) both work and
 * nothing is guessed from the padding side or the pad id.
 */
export const lastTokenPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  checkInputs('last', hidden, mask);
  const pos = positionRow(mask, hidden.dtype);
  const last = max(mul(maskAsFloat(mask, hidden.dtype), pos), 1, true);
  return weightedSum(hidden, cast(equal(pos, last), hidden.dtype));
};
