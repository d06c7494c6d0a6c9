import { DTypeError, ShapeError } from '../errors.js';
import type { Generator } from '../random.js';
import { broadcastShapes, fmt } from '../shape.js';
import { allocate } from '../dtype.js';
import { makeOp, Tensor } from '../tensor.js';
import { cast, not, unary, where } from './elementwise.js';
import { gather, gatherElements } from './index-ops.js';
import {
  abs, add, clamp, div, equal, exp, greater, less, isFinite, log, logsumexp, max, maximum, mean, mul, requireFloat, rsqrt, sigmoid, sqrt, sub, sum,
} from './math.js';
import { matmul } from './matmul.js';
import { concat, reshape, slice, transpose, unsqueeze } from './shape-ops.js';

/** max(x, 0) with PyTorch's gradient 0 at x = 0 (maximum would split it in half there). */
export const relu = (x: Tensor) => where(greater(x, 0), x, 0);
export const silu = (x: Tensor) => mul(x, sigmoid(x));

/**
 * GELU: exact erf form (BERT's "gelu") or the tanh approximation ("gelu_new"/"gelu_pytorch_tanh").
 * One op rather than a composite: onnxruntime has a fused kernel for each form, and the gradient
 * is written out by hand with fewer passes than autodiff of the composite would take.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  requireFloat('gelu', x);
  return makeOp('gelu', [x], { approximate }, x.shape, x.dtype);
}

/** log(1 + e^x) without overflow: max(x,0) + log(1 + e^(−|x|)). */
export function softplus(x: Tensor): Tensor {
  // log1p(e) for e = e^(−|x|) ≤ 1: below 1e-4 the series e − e²/2 is exact in float32 where
  // log(1 + e) would round 1 + e to 1 and return 0.
  const e = exp(unary('neg', abs(x)));
  const log1p = where(less(e, 1e-4), sub(e, mul(mul(e, e), 0.5)), log(add(e, 1)));
  return add(relu(x), log1p);
}

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

export interface CrossEntropyOptions {
  labelSmoothing?: number;
  /** Targets equal to this are left out (default −100, as PyTorch). */
  ignoreIndex?: number;
  reduction?: 'mean' | 'sum' | 'none';
}

/** F.cross_entropy with class-index targets: logits [N, C], targets [N] (int32/int64). */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { labelSmoothing = 0, ignoreIndex = -100, reduction = 'mean' } = options;
  if (logits.rank !== 2 || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`crossEntropy: expected logits [N, C] and targets [N], got ${fmt(logits.shape)} and ${fmt(targets.shape)}`);
  }
  if (targets.dtype !== 'int32' && targets.dtype !== 'int64') throw new DTypeError(`crossEntropy: targets must be int32/int64, got ${targets.dtype}`);

  const logp = logSoftmax(logits, 1);
  const keep = not(equal(targets, ignoreIndex));
  const safe = where(keep, targets, 0);
  let nll = mul(gatherElements(logp, unsqueeze(safe, 1), 1), -1);
  nll = reshape(nll, [targets.shape[0]!]);
  if (labelSmoothing > 0) nll = add(mul(nll, 1 - labelSmoothing), mul(mean(logp, 1), -labelSmoothing));
  const weight = cast(keep, logits.dtype);
  const losses = mul(nll, weight);
  if (reduction === 'none') return losses;
  if (reduction === 'sum') return sum(losses);
  return div(sum(losses), sum(weight));
}

/**
 * F.kl_div(input, target): input holds log-probabilities; target probabilities (or log-probabilities
 * with logTarget). 'batchmean' divides the sum by the batch size, the mathematically right KL.
 */
export function klDiv(input: Tensor, target: Tensor, options: { logTarget?: boolean; reduction?: 'batchmean' | 'sum' | 'mean' | 'none' } = {}): Tensor {
  const { logTarget = false, reduction = 'batchmean' } = options;
  broadcastShapes('klDiv', input.shape, target.shape);
  let pointwise: Tensor;
  if (logTarget) pointwise = mul(exp(target), sub(target, input));
  else {
    const positive = greater(target, 0);
    const safe = where(positive, target, 1);
    pointwise = where(positive, mul(target, sub(log(safe), input)), 0);
  }
  if (reduction === 'none') return pointwise;
  const total = sum(pointwise);
  if (reduction === 'sum') return total;
  return div(total, reduction === 'mean' ? pointwise.size : pointwise.shape[0]!);
}

/**
 * Rotary tables for the given positions: cos/sin of shape [..., T, headDim], halves duplicated as
 * Hugging Face Llama does (rotate_half convention). Positions may differ per row (left padding).
 */
export function rotaryTables(positions: readonly (readonly number[])[], headDim: number, theta = 10000): { cos: Tensor; sin: Tensor } {
  const rows = positions.length, t = positions[0]?.length ?? 0, half = headDim / 2;
  const cos = new Float32Array(rows * t * headDim), sin = new Float32Array(rows * t * headDim);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < half; j++) {
        // inv_freq in float32 as transformers computes it, then the product in float32
        const invFreq = Math.fround(1 / Math.fround(theta ** Math.fround((2 * j) / headDim)));
        const angle = Math.fround(positions[r]![i]! * invFreq);
        const o = (r * t + i) * headDim;
        cos[o + j] = cos[o + j + half] = Math.cos(angle);
        sin[o + j] = sin[o + j + half] = Math.sin(angle);
      }
    }
  }
  const shape = [rows, 1, t, headDim];
  return { cos: new Tensor({ shape, dtype: 'float32', buffer: cos }), sin: new Tensor({ shape, dtype: 'float32', buffer: sin }) };
}

/** Applies rotary embeddings to x [B, H, T, D] with tables [B or 1, 1, T, D]. */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[x.rank - 1]!;
  if (d % 2 !== 0) throw new ShapeError(`applyRotary: head dim of ${fmt(x.shape)} must be even`);
  broadcastShapes('applyRotary', x.shape, cos.shape, sin.shape);
  const x1 = slice(x, -1, 0, d / 2), x2 = slice(x, -1, d / 2, d);
  const rotated = concat([mul(x2, -1), x1], -1);
  return add(mul(x, cos), mul(rotated, sin));
}

