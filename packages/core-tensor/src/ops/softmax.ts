import { type Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { div, exp, isFinite, logsumexp, max, requireFloat, sub, sum } from './math.js';

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const m = max(x.detach(), axis, true);
  const e = exp(sub(x, where(isFinite(m), m, 0)));
  return div(e, sum(e, axis, true));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  return sub(x, logsumexp(x, axis, true));
}

