import { mean, mul, slice, sub } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { LossInputError } from '../errors.js';
import { ownGroupGaps } from '../gaps.js';
import { oneOf, opt, parseOptions, positive } from '../options.js';
import { expectFloat } from '../shapes.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import { studentScores } from '../student-scores.js';
import { asFloat } from '../tensors.js';
import type { Loss } from '../types.js';

export interface MarginMSEOptions {
  /** How the student scores embeddings: 'dot' (default, as Hofstätter et al. and sentence-transformers) or 'cosine'. */
  similarity?: Similarity;
  /** Multiplies the student's scores (default 1), to bring cosine scores to the teacher's range. */
  scale?: number;
}

const SPEC = {
  similarity: opt<Similarity>('dot', oneOf(...SIMILARITIES)),
  scale: opt(1, positive),
};

/**
 * Margin-MSE (Hofstätter et al. 2020): the student's margin s(q, p) − s(q, n) regresses onto the
 * teacher's margin, mean over every (query, own negative) pair.
 *
 * Inputs: query [B, D] + positive [B, D] + negative [B·(G−1), D] (or student scores [B, G]), and
 * the teacher as teacherScores [B, G] (column 0 the positive) or teacherMargins [B, G−1].
 */
export function marginMse(options: MarginMSEOptions = {}): Loss {
  const o = parseOptions('margin-mse', options, SPEC);
  return defineLoss({
    name: 'margin-mse',
    required: [],
    optional: ['query', 'positive', 'negative', 'scores', 'teacherScores', 'teacherMargins'],
    compute(inputs) {
      const { scores, dims } = studentScores('margin-mse', inputs, o.similarity, 'a margin needs a negative');
      const student = sub(slice(scores, 1, 0, 1), slice(scores, 1, 1)); // s(q,p) − s(q,n): [B, G−1]
      const { teacherScores, teacherMargins } = inputs;
      if ((teacherScores === undefined) === (teacherMargins === undefined)) {
        throw new LossInputError("margin-mse: give exactly one of 'teacherScores' [B, G] and 'teacherMargins' [B, G−1]");
      }
      let teacher;
      if (teacherScores) {
        expectFloat('margin-mse', 'teacherScores', teacherScores);
        dims.expect('teacherScores', teacherScores, ['B', 'G']);
        teacher = mul(ownGroupGaps(asFloat(teacherScores, scores)), -1);
      } else {
        expectFloat('margin-mse', 'teacherMargins', teacherMargins!);
        dims.expect('teacherMargins', teacherMargins!, ['B', dims.get('G') - 1]);
        teacher = asFloat(teacherMargins!, scores);
      }
      const err = sub(mul(student, o.scale), teacher);
      return mean(mul(err, err));
    },
  });
}
