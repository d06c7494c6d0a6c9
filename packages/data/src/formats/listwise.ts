import { defineFormat } from '../define-format.js';
import { key, type KeyOption, QUERY } from './keys.js';

/** A query with a list of texts and their relevance grades, named `labels` as the listwise loss reads them. */
export interface ListwiseExample {
  query: string;
  docs: string[];
  labels: number[];
}

/** `{"query": ..., "docs": [texts], "scores": [grades]}`, one grade per text. */
export const listwiseFormat = defineFormat<ListwiseExample, { queryKey: KeyOption; docsKey: KeyOption; scoreKey: KeyOption }>({
  name: 'listwise',
  fields: ['query', 'docs', 'labels'],
  options: { queryKey: key(), docsKey: key(), scoreKey: key() },
  parse(read, o) {
    const query = read.string(read.key(o.queryKey, QUERY));
    const docsKey = read.key(o.docsKey, ['docs']);
    const docs = read.strings(docsKey, 2);
    return { query, docs, labels: read.numbers(read.key(o.scoreKey, ['scores']), docs.length, docsKey) };
  },
});
