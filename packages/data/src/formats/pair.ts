import { defineFormat } from '../define-format.js';
import { key, type KeyOption, POSITIVE, QUERY } from './keys.js';

/** A query and one relevant text (in-batch negatives only). */
export interface PairExample {
  query: string;
  positive: string;
}

/** `{"query": ..., "positive" | "pos": ...}`; a one-element list is taken as its text. */
export const pairFormat = defineFormat<PairExample, { queryKey: KeyOption; positiveKey: KeyOption }>({
  name: 'pair',
  fields: ['query', 'positive'],
  options: { queryKey: key(), positiveKey: key() },
  parse(read, o) {
    const query = read.string(read.key(o.queryKey, QUERY));
    const positiveKey = read.key(o.positiveKey, POSITIVE);
    const positive = read.strings(positiveKey, 1, o.positiveKey ? [] : POSITIVE);
    if (positive.length > 1) read.fail(positiveKey, `holds ${positive.length} texts; a pair has one positive (use the 'triplet' format for groups)`);
    return { query, positive: positive[0]! };
  },
});
