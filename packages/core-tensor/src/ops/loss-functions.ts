import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, not, where } from './elementwise.js';
import { gatherElements } from './index-ops.js';
import { add, div, equal, exp, greater, log, mean, mul, sub, sum } from './math.js';
import { reshape, unsqueeze } from './shape-ops.js';
import { logSoftmax } from './softmax.js';

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

