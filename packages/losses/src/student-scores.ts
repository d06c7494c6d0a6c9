import type { Tensor } from '@retrievals/core-tensor';
import { LossInputError } from './errors.js';
import { groupLayout } from './layout.js';
import { Dims, expectFloat } from './shapes.js';
import { groupScores, type Similarity } from './similarity.js';
import type { LossInputs } from './types.js';

/**
 * A student's [B, G] scores for listwise and distillation losses: given directly as `scores`, or
 * computed from query/positive/negative embeddings (column 0 the positive). `why` says why the
 * loss needs G ≥ 2, for the error.
 */
export function studentScores(loss: string, inputs: LossInputs, similarity: Similarity, why: string): { scores: Tensor; dims: Dims } {
  const dims = new Dims(loss);
  if (inputs.scores) {
    const given = (['query', 'positive', 'negative'] as const).filter((f) => inputs[f]);
    if (given.length) throw new LossInputError(`${loss}: give either 'scores' or embeddings, not both (got 'scores' and '${given.join("', '")}')`);
    expectFloat(loss, 'scores', inputs.scores);
    dims.expect('scores', inputs.scores, ['B', 'G']);
    if (dims.get('G') < 2) throw new LossInputError(`${loss}: input 'scores' has G = 1 column; ${why}`);
    return { scores: inputs.scores, dims };
  }
  if (!inputs.query) throw new LossInputError(`${loss}: input 'query' (with 'positive' and 'negative') or 'scores' [B, G] is required`);
  const g = groupLayout(loss, inputs, why);
  const scores = groupScores(g, similarity);
  dims.expect('query', scores, ['B', 'G']);
  return { scores, dims };
}
