import type { FlagSpec } from '../flag-spec.js';

/** The evaluation data flags `eval` and `embed` share. */
export const EVAL_FLAGS: readonly FlagSpec[] = [
  { name: 'eval_data', type: 'string', metavar: 'path', help: 'IR evaluation: a BEIR folder (queries.jsonl, corpus.jsonl, qrels.tsv or qrels/<split>.tsv), or a .jsonl of {query, positive[, negative]} rows (the corpus is every positive and negative)' },
  { name: 'queries', type: 'string', metavar: 'file', help: 'IR evaluation from separate BEIR files instead of --eval_data: queries, {_id, text} rows (with --corpus and --qrels)' },
  { name: 'corpus', type: 'string', metavar: 'file', help: 'the documents, {_id, title?, text} rows' },
  { name: 'qrels', type: 'string', metavar: 'file', help: 'relevance, TSV query-id corpus-id score (a header line optional)' },
  { name: 'eval_split', type: 'string', metavar: 'name', default: 'test', help: "qrels/<split>.tsv of a BEIR folder without qrels.tsv" },
  { name: 'eval_sts', type: 'string', metavar: 'file', help: 'STS evaluation: .csv/.tsv (sentence1, sentence2, score; a header row optional, as STS-B has none) or .jsonl with those keys' },
  { name: 'k', type: 'list', metavar: 'k,k,...', default: ['1', '3', '5', '10'], help: 'cut-offs of the IR metrics' },
  { name: 'score_function', type: 'string', choices: ['cosine', 'dot'], default: 'cosine', help: 'IR score of query and document embeddings' },
];
