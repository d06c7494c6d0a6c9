import type { RowKeys, TrainingRow } from './input.js';

/**
 * - `input` (default): each input row as it was, every field kept, its negatives replaced (or
 *   appended to) under `negativeKey`; with scores, `pos_scores` / `neg_scores` beside them
 *   (FlagEmbedding's distillation layout, the `teacher-scored` format of @retrievals/data).
 * - sentence-transformers' `mine_hard_negatives` layouts, the query and positive under their input
 *   keys: `triplet` (one record per positive × negative, `negative`), `n-tuple` (one per positive,
 *   `negative_1..negative_n`; rows without n negatives are dropped), `n-tuple-scores` (n-tuple with
 *   `score`: [positive, negative_1, ...]), `labeled-pair` (one per text, `label` 1 / 0), and
 *   `labeled-list` (one per positive: `docs` [positive, negatives...], `labels` [1, 0, ...]).
 */
export type OutputFormat = 'input' | 'triplet' | 'n-tuple' | 'n-tuple-scores' | 'labeled-pair' | 'labeled-list';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['input', 'triplet', 'n-tuple', 'n-tuple-scores', 'labeled-pair', 'labeled-list'];

export interface OutputSettings {
  format: OutputFormat;
  keys: RowKeys;
  negativesMode: 'replace' | 'append';
  outputScores: boolean;
  count: number;
  positiveScoresKey: string;
  negativeScoresKey: string;
}

export interface MinedRow {
  row: TrainingRow;
  negatives: string[];
  negativeScores: number[];
  positiveScores: number[];
  /** Scores of the row's own negatives (needed when appending with scores). */
  existingScores?: number[];
}

/** The records one mined row becomes (none: the row is dropped). */
export function recordsFor(m: MinedRow, s: OutputSettings): Record<string, unknown>[] {
  const { row } = m;
  const { queryKey: qk, positiveKey: pk } = s.keys;
  const scores = s.outputScores;
  switch (s.format) {
    case 'input': {
      const rec: Record<string, unknown> = { ...row.record };
      const append = s.negativesMode === 'append';
      rec[s.keys.negativeKey] = append ? [...row.negatives, ...m.negatives] : m.negatives;
      if (scores) {
        rec[s.positiveScoresKey] = m.positiveScores;
        rec[s.negativeScoresKey] = append ? [...(m.existingScores ?? []), ...m.negativeScores] : m.negativeScores;
      }
      return [rec];
    }
    case 'triplet':
      return row.positives.flatMap((p, i) =>
        m.negatives.map((n, j) => ({ [qk]: row.query, [pk]: p, negative: n, ...(scores ? { [s.positiveScoresKey]: [m.positiveScores[i]], [s.negativeScoresKey]: [m.negativeScores[j]] } : {}) })),
      );
    case 'n-tuple':
    case 'n-tuple-scores': {
      if (m.negatives.length < s.count) return [];
      return row.positives.map((p, i) => {
        const rec: Record<string, unknown> = { [qk]: row.query, [pk]: p };
        m.negatives.forEach((n, j) => (rec[`negative_${j + 1}`] = n));
        if (scores || s.format === 'n-tuple-scores') rec.score = [m.positiveScores[i], ...m.negativeScores];
        return rec;
      });
    }
    case 'labeled-pair':
      return [
        ...row.positives.map((p, i) => ({ [qk]: row.query, [pk]: p, label: 1, ...(scores ? { score: m.positiveScores[i] } : {}) })),
        ...m.negatives.map((n, j) => ({ [qk]: row.query, [pk]: n, label: 0, ...(scores ? { score: m.negativeScores[j] } : {}) })),
      ];
    case 'labeled-list':
      if (!m.negatives.length) return [];
      return row.positives.map((p, i) => ({
        [qk]: row.query,
        docs: [p, ...m.negatives],
        labels: [1, ...m.negatives.map(() => 0)],
        ...(scores ? { scores: [m.positiveScores[i], ...m.negativeScores] } : {}),
      }));
  }
}
