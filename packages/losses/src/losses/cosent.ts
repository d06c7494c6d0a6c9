import { concat, full, greater, logsumexp, mul, reshape, sub, where } from '@retrievals/core-tensor';
import { angleScores } from '../angle-similarity.js';
import { defineLoss } from '../define-loss.js';
import { LossInputError } from '../errors.js';
import { pairFields } from '../layout.js';
import { oneOf, opt, parseOptions, positive } from '../options.js';
import { rowScores } from '../similarity.js';
import { asFloat, EXCLUDED } from '../tensors.js';
import type { Loss } from '../types.js';

export type CoSENTSimilarity = 'cosine' | 'angle';

export interface CoSENTOptions {
  /** Multiplies the score differences (default 20, as the original CoSENT). */
  scale?: number;
  /** 'cosine' (CoSENT, default) or 'angle' (AnglE's angle score). */
  similarity?: CoSENTSimilarity;
}

const SPEC = {
  scale: opt(20, positive),
  similarity: opt<CoSENTSimilarity>('cosine', oneOf('cosine', 'angle')),
};

/**
 * CoSENT (Su 2022): for scored pairs, log(1 + Σ_{(i,j): label_i > label_j} exp(scale·(s_j − s_i)))
 * with s_i the similarity of pair i: every pair must score above every pair labelled lower.
 * Only the order of the labels matters; a batch whose labels are all equal gives exactly 0.
 *
 * Inputs: query [B, D] (first texts), positive [B, D] (second texts), labels [B] (any numeric
 * dtype; similarity scores such as STS-B's 0–5, or 0/1).
 */
export function cosent(options: CoSENTOptions = {}): Loss {
  return makeCosent('cosent', parseOptions('cosent', options, SPEC));
}

export function makeCosent(name: string, o: { scale: number; similarity: CoSENTSimilarity }): Loss {
  return defineLoss({
    name,
    required: ['query', 'positive', 'labels'],
    compute(inputs) {
      const { dims, query: u, positive: v } = pairFields(name, inputs, { query: 'first texts of the pairs [B, D]', positive: 'second texts of the pairs [B, D]' });
      dims.expect('labels', inputs.labels!, ['B']);
      const B = dims.get('B');
      if (o.similarity === 'angle' && dims.get('D') % 2 !== 0) {
        throw new LossInputError(`${name}: the angle score splits embeddings into real and imaginary halves; D = ${dims.get('D')} is odd`);
      }
      const s = o.similarity === 'angle' ? angleScores(u, v) : rowScores(u, v, 'cosine');
      const labels = asFloat(inputs.labels!, u);
      // [i, j] = scale·(s_j − s_i), kept where label_i > label_j.
      const diff = mul(sub(reshape(s, [1, B]), reshape(s, [B, 1])), o.scale);
      const ranked = where(greater(reshape(labels, [B, 1]), reshape(labels, [1, B])), diff, EXCLUDED);
      return logsumexp(concat([full([1], 0, u.dtype), reshape(ranked, [B * B])]), 0);
    },
  });
}
