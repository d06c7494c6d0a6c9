import { defineFormat } from '../define-format.js';
import { key, type KeyOption, NEGATIVE, POSITIVE, QUERY } from './keys.js';
import type { RecordReader } from '../record-reader.js';

/** A query with its positives and hard negatives (FlagEmbedding's `{query, pos, neg}`); a triplet is a group of one each. */
export interface GroupExample {
  query: string;
  positive: string[];
  negative: string[];
}

export type GroupKeys = { queryKey: KeyOption; positiveKey: KeyOption; negativeKey: KeyOption };

export const groupKeys = (): GroupKeys => ({ queryKey: key(), positiveKey: key(), negativeKey: key() });

/** Reads query, positive (string | string[]) and negative (string | string[]) with their keys. */
export function readGroup(read: RecordReader, o: { queryKey?: string; positiveKey?: string; negativeKey?: string }): GroupExample & { keys: { positive: string; negative: string } } {
  const positiveKey = read.key(o.positiveKey, POSITIVE), negativeKey = read.key(o.negativeKey, NEGATIVE);
  return {
    query: read.string(read.key(o.queryKey, QUERY)),
    positive: read.strings(positiveKey, 1, o.positiveKey ? [] : POSITIVE),
    negative: read.strings(negativeKey, 1, o.negativeKey ? [] : NEGATIVE),
    keys: { positive: positiveKey, negative: negativeKey },
  };
}

/** `{"query": ..., "positive" | "pos": text | [texts], "negative" | "neg": text | [texts]}` */
export const groupFormat = defineFormat<GroupExample, GroupKeys>({
  name: 'triplet',
  fields: ['query', 'positive', 'negative'],
  options: groupKeys(),
  parse(read, o) {
    const { query, positive, negative } = readGroup(read, o);
    return { query, positive, negative };
  },
});
