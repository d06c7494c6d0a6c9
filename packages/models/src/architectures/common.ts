import {
  add, binary, constant, greater, less, maskAsBool, maskAsFloat, matmul, mul, not, permute, positionsLike, reshape, softmax, sub, type Tensor, where,
} from '@retrievals/core-tensor';
import type { Module } from '../modules.js';
import { applyDropout } from '../modules.js';

/** torch.finfo(float32).min: what transformers fills masked scores with. */
export const MIN_F32 = -3.4028234663852886e38;

/** Encoder mask: 0 where a key is a token, MIN where it is padding; [B, 1, 1, T] (BERT's extended mask). */
export function paddingBias(mask: Tensor): Tensor {
  const [b, t] = mask.shape as [number, number];
  return reshape(mul(sub(1, maskAsFloat(mask, 'float32')), MIN_F32), [b, 1, 1, t]);
}

/**
 * Decoder mask [B, 1, 1, T, T] (the extra axis broadcasts over grouped query heads): key j is
 * visible from query i when j ≤ i, j is a token, and (sliding window) i − j < window. Built from the
 * mask in the graph. Rows of padding queries see nothing and come out uniform, never NaN, which
 * matters because their values would otherwise poison real rows through 0 · NaN in the next layer.
 */
export function causalBias(mask: Tensor, slidingWindow?: number): Tensor {
  const [b, t] = mask.shape as [number, number];
  // Positions from the mask's shape (not constants), so an export follows the sequence length.
  const pos = positionsLike(mask, 1, 'float32');
  const qi = reshape(pos, [b, t, 1]), kj = reshape(pos, [b, 1, t]);
  let allowed = not(greater(kj, qi));
  if (slidingWindow !== undefined) allowed = binary('and', allowed, less(sub(qi, kj), slidingWindow));
  const keys = reshape(maskAsBool(mask), [b, 1, t]);
  const visible = reshape(binary('and', allowed, keys), [b, 1, 1, t, t]);
  return where(visible, constant(0), MIN_F32);
}

/** [B, T, heads·d] → [B, heads, T, d]. */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [b, t, hd] = x.shape as [number, number, number];
  return permute(reshape(x, [b, t, heads, hd / heads]), [0, 2, 1, 3]);
}

/** [B, heads, T, d] → [B, T, heads·d]. */
export function mergeHeads(x: Tensor): Tensor {
  const [b, h, t, d] = x.shape as [number, number, number, number];
  return reshape(permute(x, [0, 2, 1, 3]), [b, t, h * d]);
}

/**
 * softmax(q·kᵀ·scale + bias)·v over the last two axes; leading axes broadcast, so grouped-query
 * attention passes q as [B, KV, G, T, d] and k, v as [B, KV, 1, T, d] instead of copying k and v G
 * times (what repeat_kv does). `scaleFirst` divides q before the product (DistilBERT's order).
 */
export function attend(owner: Module, q: Tensor, k: Tensor, v: Tensor, bias: Tensor, opts: { scale: number; dropout: number; scaleFirst?: boolean }): Tensor {
  const kt = permute(k, [...Array(k.rank).keys()].map((i) => (i === k.rank - 2 ? k.rank - 1 : i === k.rank - 1 ? k.rank - 2 : i)));
  const scores = opts.scaleFirst ? matmul(mul(q, opts.scale), kt) : mul(matmul(q, kt), opts.scale);
  const probs = applyDropout(owner, softmax(add(scores, bias), -1), opts.dropout);
  return matmul(probs, v);
}

/** 1/√d, as the scale of dot-product attention. */
export const invSqrt = (d: number): number => 1 / Math.sqrt(d);
