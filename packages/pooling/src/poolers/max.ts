import { maskAsBool, max, reshape, type Tensor, where } from '@retrievals/core-tensor';
import type { Pooler } from '../registry.js';
import { checkInputs } from '../mask.js';

/**
 * `max`: the element-wise maximum over real tokens. Padding is set to -1e9 first, as
 * sentence-transformers does, so a padded position never wins (and a row with no tokens at all
 * gives -1e9 rather than NaN).
 */
export const maxPooler: Pooler = (hidden: Tensor, mask: Tensor) => {
  const { b, t } = checkInputs('max', hidden, mask);
  const keep = reshape(maskAsBool(mask), [b, t, 1]);
  return max(where(keep, hidden, -1e9), 1);
};
