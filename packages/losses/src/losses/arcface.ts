import {
  arange, cast, cos, crossEntropy, equal, gather, gatherElements, greater, matmul, maximum, mul, neg, normalize, reshape, sin, sqrt, sub, transpose,
  where, type Tensor, type TensorLike,
} from '@retrievals/core-tensor';
import { classCentres } from '../class-centres.js';
import { defineLoss } from '../define-loss.js';
import { LossInputError, LossOptionError } from '../errors.js';
import { anything, boolean, finite, opt, parseOptions, positive, unitInterval } from '../options.js';
import { Dims, expectFloat, expectInt } from '../shapes.js';
import { filled } from '../tensors.js';
import type { Loss } from '../types.js';

export interface ArcFaceOptions {
  /** Embedding size D (inferred from `weight` when given). */
  inFeatures?: number;
  /** Number of classes C (inferred from `weight` when given). */
  outFeatures?: number;
  /** Logit scale s (default 30). */
  scale?: number;
  /** Additive angular margin m in radians (default 0.5), or one margin per class [C] (adaptive margins). */
  margin?: number | readonly number[];
  /** Apply the margin only where cos θ > 0 (default false: the insightface fallback cos θ − m·sin m beyond θ > π − m). */
  easyMargin?: boolean;
  /** Cross-entropy label smoothing ε over the C classes (default 0). */
  labelSmoothing?: number;
  /** Class centres [C, D]: a Tensor used as is (it is the parameter), or nested numbers (copied, trainable). */
  weight?: Tensor | readonly (readonly number[])[];
  /** Seed of the Xavier-uniform initialisation when no weight is given (default 0). */
  seed?: number;
}

const margins = (v: unknown) =>
  (typeof v === 'number' && v >= 0 && v < Math.PI) || (Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'number' && m >= 0 && m < Math.PI))
    ? undefined
    : 'a margin in [0, π) or an array of per-class margins in [0, π)';
const integer = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'a positive integer');

const SPEC = {
  inFeatures: opt<number | undefined>(undefined, integer),
  outFeatures: opt<number | undefined>(undefined, integer),
  scale: opt(30, positive),
  margin: opt<number | readonly number[]>(0.5, margins),
  easyMargin: opt(false, boolean),
  labelSmoothing: opt(0, unitInterval),
  weight: opt<ArcFaceOptions['weight']>(undefined, anything),
  seed: opt(0, finite),
};

/**
 * ArcFace (Deng et al. 2019) for point-wise (text, class) data: logits s·cos θ_c against learnable
 * class centres, with the true class's angle widened by m, cos(θ + m), then cross entropy.
 * Beyond θ > π − m (where cos(θ + m) would stop decreasing) it falls back to cos θ − m·sin m, as
 * insightface; with easyMargin the margin applies only where cos θ > 0.
 *
 * Inputs: embeddings [N, D], labels [N] (int32/int64 class ids in [0, C)), and optionally a
 * per-call margin (a number, or [N] per example) overriding the configured one for that call
 * only — the "dynamic margin" schedule of the seed. `parameters()` returns the class centres.
 */
export function arcface(options: ArcFaceOptions = {}): Loss {
  const o = parseOptions('arcface', options, SPEC);
  const weight = classCentres('arcface', o);
  const [C, D] = weight.shape as [number, number];
  if (Array.isArray(o.margin) && o.margin.length !== C) {
    throw new LossOptionError(`arcface: option 'margin' has ${o.margin.length} per-class margins but there are ${C} classes`);
  }
  return defineLoss({
    name: 'arcface',
    required: ['embeddings', 'labels'],
    optional: ['margin'],
    parameters: () => [weight],
    compute(inputs) {
      const x = inputs.embeddings!, labels = inputs.labels!;
      const dims = new Dims('arcface');
      expectFloat('arcface', 'embeddings', x);
      dims.expect('embeddings', x, ['N', D]);
      expectInt('arcface', 'labels', labels);
      dims.expect('labels', labels, ['N']);
      const N = dims.get('N');
      if (labels.buffer) {
        const bad = Array.from(labels.buffer as Int32Array, Number).find((l) => !(l >= 0 && l < C));
        if (bad !== undefined) throw new LossInputError(`arcface: input 'labels' holds class ${bad}, outside [0, ${C}) (outFeatures = ${C})`);
      }
      const ids = reshape(cast(labels, 'int64'), [N, 1]);
      const centres = weight.dtype === x.dtype ? weight : cast(weight, x.dtype);
      const cosine = matmul(normalize(x, -1), transpose(normalize(centres, -1)));

      const m = marginOf(inputs.margin, o.margin, labels, N, dims, x);
      const target = gatherElements(cosine, ids, 1);
      // sqrt(1 − cos²) has an infinite slope at |cos| = 1; the floor keeps that gradient finite.
      const sine = sqrt(maximum(sub(1, mul(target, target)), 1e-12));
      const phi = sub(mul(target, m.cos), mul(sine, m.sin));
      const widened = o.easyMargin ? where(greater(target, 0), phi, target) : where(greater(target, m.th), phi, sub(target, m.mm));
      const isTarget = equal(ids, reshape(arange(C, 'int64'), [1, C]));
      const logits = mul(where(isTarget, widened, cosine), o.scale);
      return crossEntropy(logits, reshape(ids, [N]), { labelSmoothing: o.labelSmoothing });
    },
  });
}

/** cos m, sin m, th = cos(π − m) = −cos m and mm = sin(π − m)·m = m·sin m, as numbers or [N, 1]. */
interface Angular {
  cos: TensorLike;
  sin: TensorLike;
  th: TensorLike;
  mm: TensorLike;
}

/** The margin of this call: the per-call input, else per-class margins gathered by label, else the configured one. */
function marginOf(given: number | Tensor | undefined, configured: number | readonly number[], labels: Tensor, N: number, dims: Dims, x: Tensor): Angular {
  let m: number | Tensor;
  if (typeof given === 'number') {
    if (margins(given)) throw new LossInputError(`arcface: input 'margin' must be in [0, π), got ${given}`);
    m = given;
  } else if (given) {
    expectFloat('arcface', 'margin', given, { field: 'embeddings', tensor: x });
    dims.expect('margin', given, ['N']);
    m = reshape(given, [N, 1]);
  } else if (typeof configured === 'number') {
    m = configured;
  } else {
    const table = filled([configured.length], x.dtype, (i) => configured[i]!);
    m = reshape(gather(table, cast(labels, 'int64')), [N, 1]);
  }
  if (typeof m === 'number') return { cos: Math.cos(m), sin: Math.sin(m), th: -Math.cos(m), mm: Math.sin(m) * m };
  const c = cos(m), s = sin(m);
  return { cos: c, sin: s, th: neg(c), mm: mul(s, m) };
}
