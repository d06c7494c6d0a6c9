import { add, concat, crossEntropy, div } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { groupLayout } from '../layout.js';
import { finite, opt, parseOptions, positive } from '../options.js';
import { scoreMatrix } from '../similarity.js';
import { diagonalTargets, filled } from '../tensors.js';
import type { Loss } from '../types.js';

export interface SimCSEOptions {
  /** Cosine similarities are divided by this (default 0.05, as the paper). */
  temperature?: number;
  /** Added to the logit of each query's own hard negatives (SimCSE's hard_negative_weight, default 0). */
  hardNegativeWeight?: number;
}

const SPEC = {
  temperature: opt(0.05, positive),
  hardNegativeWeight: opt(0, finite),
};

/**
 * SimCSE (Gao et al. 2021): cross entropy over cosine/τ of each anchor against every candidate of
 * the batch, target the anchor's own pair.
 *
 * Unsupervised: query = the texts encoded once, positive = the same texts encoded again with a
 * different dropout mask (both [B, D]); no negative. Supervised (NLI): query = premise, positive =
 * entailment, negative = contradiction [B·(G−1), D], every negative of the batch a column.
 */
export function simcse(options: SimCSEOptions = {}): Loss {
  const o = parseOptions('simcse', options, SPEC);
  return defineLoss({
    name: 'simcse',
    required: ['query', 'positive'],
    optional: ['negative'],
    compute(inputs) {
      const g = groupLayout('simcse', inputs);
      const docs = g.negative ? concat([g.positive, g.negative]) : g.positive;
      let logits = div(scoreMatrix(g.query, docs, 'cosine'), o.temperature);
      if (g.negative && o.hardNegativeWeight !== 0) {
        const k = g.G - 1, cols = g.B + g.B * k;
        const own = (i: number) => {
          const row = Math.floor(i / cols), col = (i % cols) - g.B;
          return col >= row * k && col < (row + 1) * k ? o.hardNegativeWeight : 0;
        };
        logits = add(logits, filled([g.B, cols], logits.dtype, own));
      }
      return crossEntropy(logits, diagonalTargets(g.B));
    },
  });
}
