import type { Generator } from '@retrievals/core-tensor';
import { DataError } from '../errors.js';

/** A query with the one positive and the G−1 negatives chosen for this epoch (teacher scores in the same order). */
export interface SampledGroup {
  query: string;
  positive: string;
  negative: string[];
  teacherScores?: number[];
}

/** What sampleGroup reads: a group example (`triplet`/`group`/`teacher-scored` formats) or any record with these fields. */
export interface GroupLike {
  query: string;
  positive: string | readonly string[];
  negative?: string | readonly string[];
  teacherScores?: readonly number[];
}

const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/**
 * FlagEmbedding's train-group sampling: one positive drawn at random from the row's positives and
 * G−1 negatives drawn without replacement; a row with fewer than G−1 negatives has them repeated
 * (⌈(G−1)/n⌉ copies, then drawn), as FlagEmbedding does. A row without negatives is an error when
 * G > 1. Teacher scores (positives first, then negatives) follow the texts chosen.
 */
export function sampleGroup(example: GroupLike, groupSize: number, generator: Generator, row: number): SampledGroup {
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new DataError(`sampleGroup: trainGroupSize must be an integer ≥ 1, got ${groupSize}`);
  const positives = list(example.positive), negatives = list(example.negative);
  if (!positives.length) throw new DataError(`row ${row}: field 'positive' holds no text; a training group needs one positive`);
  const p = generator.int(positives.length);
  const want = groupSize - 1;
  if (want > 0 && !negatives.length) {
    throw new DataError(`row ${row}: field 'negative' holds no text, but trainGroupSize ${groupSize} needs ${want} negative${want === 1 ? '' : 's'} per query (mine some with build-hn, or set trainGroupSize 1 for in-batch negatives only)`);
  }
  let pool = negatives.map((_, i) => i);
  if (want > pool.length) pool = Array.from({ length: Math.ceil(want / pool.length) }, () => pool).flat();
  const chosen = want > 0 ? generator.shuffle(pool).slice(0, want) : [];
  const group: SampledGroup = { query: example.query, positive: positives[p]!, negative: chosen.map((i) => negatives[i]!) };
  if (example.teacherScores) {
    const scores = example.teacherScores;
    if (scores.length !== positives.length + negatives.length) {
      throw new DataError(`row ${row}: field 'teacherScores' has ${scores.length} scores for ${positives.length} positives and ${negatives.length} negatives`);
    }
    group.teacherScores = [scores[p]!, ...chosen.map((i) => scores[positives.length + i]!)];
  }
  return group;
}
