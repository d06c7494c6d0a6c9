import { div, klDiv, logSoftmax } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { oneOf, opt, parseOptions, positive } from '../options.js';
import { expectFloat } from '../shapes.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import { studentScores } from '../student-scores.js';
import { asFloat } from '../tensors.js';
import type { Loss } from '../types.js';

export interface KLDistillOptions {
  /** Student logits are its scores divided by this (default 0.05 for cosine students; use 1 for given logits). */
  temperature?: number;
  /** Teacher logits are its scores divided by this (default 1: a cross encoder's raw logits). */
  teacherTemperature?: number;
  /** How the student scores embeddings: 'cosine' (default) or 'dot'. */
  similarity?: Similarity;
}

const SPEC = {
  temperature: opt(0.05, positive),
  teacherTemperature: opt(1, positive),
  similarity: opt<Similarity>('cosine', oneOf(...SIMILARITIES)),
};

/**
 * Knowledge distillation from a teacher (e.g. a cross encoder) over each query's group:
 * KL(softmax(teacher/τ_t) ‖ softmax(student/τ)), summed over the group and averaged over queries
 * (batchmean). Listwise within a query's own group, never across queries.
 *
 * Inputs: teacherScores [B, G] (column 0 the positive, then the negatives in order), and either
 * query [B, D] + positive [B, D] + negative [B·(G−1), D], or student scores [B, G]. G ≥ 2.
 */
export function klDistill(options: KLDistillOptions = {}): Loss {
  const o = parseOptions('kl-distill', options, SPEC);
  return defineLoss({
    name: 'kl-distill',
    required: ['teacherScores'],
    optional: ['query', 'positive', 'negative', 'scores'],
    compute(inputs) {
      const { scores, dims } = studentScores('kl-distill', inputs, o.similarity, 'a distribution over one document per query carries nothing to distil');
      expectFloat('kl-distill', 'teacherScores', inputs.teacherScores!);
      dims.expect('teacherScores', inputs.teacherScores!, ['B', 'G']);
      const student = logSoftmax(div(scores, o.temperature), 1);
      const teacher = logSoftmax(div(asFloat(inputs.teacherScores!, scores), o.teacherTemperature), 1);
      return klDiv(student, teacher, { logTarget: true, reduction: 'batchmean' });
    },
  });
}
