import { cast, equal, maskAsBool, min, positionRow, type Tensor, where } from '@retrievals/core-tensor';
import type { Pooler } from '../registry.js';
import { checkInputs, weightedSum } from '../mask.js';

/**
 * `cls` / `first`: the hidden state of the first real token. With right padding (how encoders are
 * batched) that is position 0, the [CLS] token, exactly sentence-transformers' `[:, 0]`; with left
 * padding it is still the first token of the text, found from the mask rather than assumed.
 */
export const firstTokenPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  const { t } = checkInputs('cls', hidden, mask);
  const pos = positionRow(mask, hidden.dtype);
  // Padding positions are pushed past the end so the minimum lands on the first token.
  const first = min(where(maskAsBool(mask), pos, t), 1, true);
  return weightedSum(hidden, cast(equal(pos, first), hidden.dtype));
};
