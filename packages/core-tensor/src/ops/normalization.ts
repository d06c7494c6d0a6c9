import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs, add, clamp, div, maximum, mean, mul, requireFloat, rsqrt, sqrt, sub, sum } from './math.js';
import { matmul } from './matmul.js';
import { transpose } from './shape-ops.js';

/** A weight or bias must broadcast against x: otherwise the error names the op, the parameter and both shapes. */
function checkParam(op: string, name: string, x: Tensor, p: Tensor | undefined): void {
  if (p) broadcastShapes(`${op} (${name})`, x.shape, p.shape);
}

/** LayerNorm over the last dim (biased variance, as torch.nn.LayerNorm). */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x);
  checkParam('layerNorm', 'weight', x, weight);
  checkParam('layerNorm', 'bias', x, bias);
  const xc = sub(x, mean(x, -1, true));
  let y = mul(xc, rsqrt(add(mean(mul(xc, xc), -1, true), eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** RMSNorm over the last dim (Llama: x / sqrt(mean(x²) + eps) · weight). */
export function rmsNorm(x: Tensor, weight?: Tensor, eps = 1e-6): Tensor {
  requireFloat('rmsNorm', x);
  checkParam('rmsNorm', 'weight', x, weight);
  const y = mul(x, rsqrt(add(mean(mul(x, x), -1, true), eps)));
  return weight ? mul(y, weight) : y;
}

/**
 * F.normalize: x / max(‖x‖_p, eps) along an axis. For p = 2 as sqrt(max(Σx², eps²)), the same
 * value, so that an all-zero row gets the gradient 1/eps (as in PyTorch) rather than sqrt's 0/0.
 */
export function normalize(x: Tensor, axis = -1, eps = 1e-12, p = 2): Tensor {
  const norm = p === 2 ? sqrt(maximum(sum(mul(x, x), axis, true), eps * eps)) : p === 1 ? clamp(sum(abs(x), axis, true), eps) : undefined;
  if (!norm) throw new DTypeError(`normalize: p must be 1 or 2, got ${p}`);
  return div(x, norm);
}

/** Cosine similarity of every row of a with every row of b: [n, d] × [m, d] → [n, m]. */
export function cosineSimilarityMatrix(a: Tensor, b: Tensor, eps = 1e-8): Tensor {
  if (a.shape[a.rank - 1] !== b.shape[b.rank - 1]) throw new ShapeError(`cosineSimilarityMatrix: feature dims differ: ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return matmul(normalize(a, -1, eps), transpose(normalize(b, -1, eps)));
}

