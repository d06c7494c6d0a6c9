import { add, div, mul, slice, type Tensor } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { LossInputError, LossOptionError } from '../errors.js';
import { opt, parseOptions } from '../options.js';
import { isLossSpec, resolveLoss } from '../resolve.js';
import type { Loss, LossInputs, LossSpec } from '../types.js';

export interface MatryoshkaOptions {
  /** The loss computed at every dimension (required). */
  loss?: LossSpec;
  /** Leading-dimension prefixes to train, e.g. [768, 512, 256, 128, 64] (required). */
  dims?: readonly number[];
  /** Weight of each dims entry (default all 1). */
  weights?: readonly number[];
}

const dimList = (v: unknown) =>
  Array.isArray(v) && v.length > 0 && v.every((d) => Number.isInteger(d) && d > 0) && new Set(v).size === v.length
    ? undefined
    : 'a non-empty array of distinct positive integers';
const weightList = (v: unknown) =>
  Array.isArray(v) && v.every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w)) && v.some((w) => w > 0)
    ? undefined
    : 'an array of finite weights ≥ 0, not all 0';

const SPEC = {
  loss: opt<LossSpec | undefined>(undefined, isLossSpec),
  dims: opt<readonly number[] | undefined>(undefined, dimList),
  weights: opt<readonly number[] | undefined>(undefined, weightList),
};

/** The embedding fields a Matryoshka prefix applies to (labels, scores and masks are left whole). */
const EMBEDDING_FIELDS = ['query', 'positive', 'negative', 'embeddings'] as const;

/**
 * Matryoshka Representation Learning (Kusupati et al. 2022): the wrapped loss computed on the
 * first d dimensions of every embedding, for each d in dims, combined as the weighted mean
 * Σ w_d·L_d / Σ w_d (sentence-transformers sums instead: multiply by Σ w to match it).
 * Inputs: whatever the wrapped loss reads.
 */
export function matryoshka(options: MatryoshkaOptions = {}): Loss {
  const o = parseOptions('matryoshka', options, SPEC);
  if (o.loss === undefined) throw new LossOptionError("matryoshka: option 'loss' is required (the loss to compute at each dimension)");
  if (o.dims === undefined) throw new LossOptionError("matryoshka: option 'dims' is required, e.g. [768, 512, 256, 128, 64]");
  const dims = o.dims;
  const weights = o.weights ?? dims.map(() => 1);
  if (weights.length !== dims.length) throw new LossOptionError(`matryoshka: option 'weights' has ${weights.length} entries for ${dims.length} dims`);
  const inner = resolveLoss('matryoshka', o.loss);
  const total = weights.reduce((a, b) => a + b, 0);
  return defineLoss({
    name: 'matryoshka',
    required: inner.fields.required,
    optional: inner.fields.optional,
    parameters: () => inner.parameters(),
    compute(inputs) {
      let sum: Tensor | undefined;
      dims.forEach((d, k) => {
        if (weights[k] === 0) return;
        const truncated: LossInputs = { ...inputs };
        for (const field of EMBEDDING_FIELDS) {
          const t = inputs[field];
          if (!t) continue;
          const D = t.shape[t.rank - 1]!;
          if (d > D) throw new LossInputError(`matryoshka: dim ${d} exceeds the embedding size ${D} of input '${field}' [${t.shape.join(', ')}]`);
          truncated[field] = slice(t, -1, 0, d);
        }
        const term = mul(inner(truncated), weights[k]!);
        sum = sum ? add(sum, term) : term;
      });
      return div(sum!, total);
    },
  });
}
