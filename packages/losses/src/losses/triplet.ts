import { add, concat, div, max, neg, relu, softplus, where, type Tensor } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { LossInputError, LossOptionError } from '../errors.js';
import { candidateMean, inBatchGaps, ownGroupGaps, type Candidates } from '../gaps.js';
import { groupLayout } from '../layout.js';
import { boolean, nonNegative, oneOf, opt, parseOptions, positive } from '../options.js';
import { distanceMatrix, groupDistances, groupScores, scoreMatrix } from '../similarity.js';
import { EXCLUDED } from '../tensors.js';
import type { Loss } from '../types.js';

export type TripletDistance = 'cosine' | 'euclidean';

export interface TripletOptions {
  /** s = cosine similarity (default), or s = −‖q − d‖₂. */
  distance?: TripletDistance;
  /** 'hinge': max(0, s(q,n) − s(q,p) + margin) (default); 'soft': log(1 + exp((s(q,n) − s(q,p))/τ)). */
  form?: 'hinge' | 'soft';
  /** Hinge margin; default 0.5 for cosine, 5 for euclidean (sentence-transformers' TripletLoss). */
  margin?: number;
  /** Soft-form τ; default 0.05 for cosine (open-retrievals' TripletLoss), 1 for euclidean. */
  temperature?: number;
  /** Keep only each query's hardest negative (highest s(q, n)) instead of averaging over all. */
  batchHard?: boolean;
  /** Negatives are every other document of the batch, not only the query's own group (default false). */
  useInbatchNegative?: boolean;
}

const SPEC = {
  distance: opt<TripletDistance>('cosine', oneOf('cosine', 'euclidean')),
  form: opt<'hinge' | 'soft'>('hinge', oneOf('hinge', 'soft')),
  margin: opt<number | undefined>(undefined, nonNegative),
  temperature: opt<number | undefined>(undefined, positive),
  batchHard: opt(false, boolean),
  useInbatchNegative: opt(false, boolean),
};

/**
 * Triplet loss over (query, positive, negative) with s a similarity (cosine, or negative euclidean
 * distance): each query's positive must beat each negative. Averaged over all (query, negative)
 * pairs, or over queries with batchHard.
 *
 * Inputs: query [B, D], positive [B, D], negative [B·(G−1), D] (optional with useInbatchNegative).
 */
export function triplet(options: TripletOptions = {}): Loss {
  const o = parseOptions('triplet', options, SPEC);
  if (o.form === 'soft' && o.margin !== undefined) throw new LossOptionError("triplet: option 'margin' applies to form 'hinge' only; the soft form has 'temperature'");
  if (o.form === 'hinge' && o.temperature !== undefined) throw new LossOptionError("triplet: option 'temperature' applies to form 'soft' only; the hinge form has 'margin'");
  const euclidean = o.distance === 'euclidean';
  const margin = o.margin ?? (euclidean ? 5 : 0.5);
  const temperature = o.temperature ?? (euclidean ? 1 : 0.05);
  return defineLoss({
    name: 'triplet',
    required: ['query', 'positive'],
    optional: ['negative'],
    compute(inputs) {
      const g = groupLayout('triplet', inputs, o.useInbatchNegative ? undefined : 'each query needs its own negatives (or set useInbatchNegative)');
      let gaps: Tensor, candidates: Candidates | undefined;
      if (o.useInbatchNegative) {
        if (g.B === 1 && !g.negative) throw new LossInputError("triplet: a batch of one query without 'negative' has no negative to compare with");
        const docs = g.negative ? concat([g.positive, g.negative]) : g.positive;
        ({ gaps, candidates } = inBatchGaps(euclidean ? neg(distanceMatrix(g.query, docs)) : scoreMatrix(g.query, docs, 'cosine')));
      } else {
        gaps = ownGroupGaps(euclidean ? neg(groupDistances(g)) : groupScores(g, 'cosine'));
      }
      if (o.batchHard) {
        gaps = max(candidates ? where(candidates.mask, gaps, EXCLUDED) : gaps, 1);
        candidates = undefined;
      }
      const terms = o.form === 'hinge' ? relu(add(gaps, margin)) : softplus(div(gaps, temperature));
      return candidateMean(terms, candidates);
    },
  });
}
