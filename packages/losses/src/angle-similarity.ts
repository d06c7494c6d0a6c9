import { abs, add, concat, div, mul, slice, sqrt, sub, sum, type Tensor } from '@retrievals/core-tensor';

/**
 * AnglE's pairwise angle score (Li & Li 2023, as sentence-transformers' pairwise_angle_sim): each
 * embedding is read as a complex vector (first half real, second half imaginary), u is divided by
 * v element-wise, both norms are divided out, and the score is |Σ re + Σ im| of the quotient.
 * [n, D] × [n, D] → [n]; D must be even.
 */
export function angleScores(u: Tensor, v: Tensor): Tensor {
  const h = u.shape[1]! / 2;
  const a = slice(u, 1, 0, h), b = slice(u, 1, h);
  const c = slice(v, 1, 0, h), d = slice(v, 1, h);
  const vNorm2 = sum(add(mul(c, c), mul(d, d)), 1, true);
  const re = div(add(mul(a, c), mul(b, d)), vNorm2);
  const im = div(sub(mul(b, c), mul(a, d)), vNorm2);
  const ratio = div(sqrt(sum(add(mul(a, a), mul(b, b)), 1, true)), sqrt(vNorm2));
  return abs(sum(div(concat([re, im], 1), ratio), 1));
}
