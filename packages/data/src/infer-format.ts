import { DataError } from './errors.js';

/** A format name and the key options that map a record's keys onto its fields. */
export interface InferredFormat {
  name: string;
  options: Record<string, string>;
}

const has = (r: Record<string, unknown>, ...keys: string[]) => keys.every((k) => r[k] !== undefined);
const either = (r: Record<string, unknown>, a: string, b: string) => (r[a] !== undefined ? a : r[b] !== undefined ? b : undefined);

/**
 * The example format a record's keys name, tried in this order (the first that matches wins):
 *
 * | keys | format |
 * |---|---|
 * | `query`, `docs`, `scores` | listwise |
 * | `query`, `pos`/`positive`, `neg`/`negative`, `pos_scores`, `neg_scores` | teacher-scored |
 * | `query`, `pos`/`positive`, `neg`/`negative` | triplet (group) |
 * | `query`, `pos`/`positive` | pair |
 * | `anchor`, `positive`, `negative` (sentence-transformers) | triplet, query read from `anchor` |
 * | `anchor`, `positive` | pair, query read from `anchor` |
 * | `text1`, `text2`, `score` | scored-pair |
 * | `sentence1`, `sentence2`, `score` (STS-B) | scored-pair, read from those keys |
 * | `sentence1`, `sentence2` | pair, query = `sentence1`, positive = `sentence2` |
 * | `text`, `label` | point |
 *
 * Keys beyond these (FlagEmbedding's `prompt`, `type`) are ignored. Anything else is an error
 * that lists the record's keys: give `format` (and its key options) then.
 */
export function inferFormat(record: Record<string, unknown>, where: string): InferredFormat {
  const pos = either(record, 'pos', 'positive'), neg = either(record, 'neg', 'negative');
  if (has(record, 'query', 'docs', 'scores')) return { name: 'listwise', options: {} };
  if (has(record, 'query') && pos) {
    if (neg && has(record, 'pos_scores', 'neg_scores')) return { name: 'teacher-scored', options: {} };
    return { name: neg ? 'triplet' : 'pair', options: {} };
  }
  if (has(record, 'anchor', 'positive')) return { name: has(record, 'negative') ? 'triplet' : 'pair', options: { queryKey: 'anchor' } };
  if (has(record, 'text1', 'text2', 'score')) return { name: 'scored-pair', options: {} };
  if (has(record, 'sentence1', 'sentence2', 'score')) return { name: 'scored-pair', options: { text1Key: 'sentence1', text2Key: 'sentence2' } };
  if (has(record, 'sentence1', 'sentence2')) return { name: 'pair', options: { queryKey: 'sentence1', positiveKey: 'sentence2' } };
  if (has(record, 'text', 'label')) return { name: 'point', options: {} };
  throw new DataError(
    `${where}: cannot tell the example format from the keys ${Object.keys(record).map((k) => `'${k}'`).join(', ') || '(none)'}; ` +
      `expected e.g. {query, pos, neg} (triplet), {query, positive} (pair), {sentence1, sentence2, score} (scored-pair), {text, label} (point); give format (and its key options)`,
  );
}

/** The record keys the loader turns from CSV/TSV text into numbers for a format: the scores it reads as numbers. */
export function numericKeys(format: string, options: Record<string, unknown>): string[] {
  if (format === 'scored-pair' || format === 'sts') return [typeof options.scoreKey === 'string' ? options.scoreKey : 'score'];
  return [];
}
