import { CONFIG_FLAG } from '../command.js';
import { OUTPUT_FORMATS } from '@retrievals/hard-negatives';
import type { FlagSpec } from '../flag-spec.js';
import { MODEL_FLAGS } from './model-flags.js';

/** `retrievals build-hn`'s flags: open-retrievals' `retrievals.pipelines.build_hn` (same names and defaults) plus the miner's options. */
export const BUILD_HN_FLAGS: readonly FlagSpec[] = [
  // The model flags of encode, so a model loads here as encode --shard loaded it (same fingerprint).
  ...MODEL_FLAGS,
  { name: 'input_file', type: 'string', metavar: 'file', help: 'training rows with a query and positive(s) (and maybe negatives): .jsonl/.json/.csv/.tsv' },
  { name: 'output_file', type: 'string', metavar: 'file', help: 'the rows with mined negatives, written atomically' },
  { name: 'candidate_pool', type: 'string', metavar: 'file', help: 'corpus to mine from ({text} or {title, text} rows, optional id); default every positive and negative of input_file' },
  { name: 'text_key', type: 'string', metavar: 'key', default: 'text', help: 'the candidate pool\'s text field' },
  { name: 'query_key', type: 'string', metavar: 'key', default: 'query', help: 'record key of the query' },
  { name: 'positive_key', type: 'string', metavar: 'key', default: 'positive', help: 'record key of the positive(s)' },
  { name: 'negative_key', type: 'string', metavar: 'key', default: 'negative', help: 'record key the negatives are written to (and read from with --negatives_mode append)' },
  { name: 'range_for_sampling', type: 'range', default: [10, 210], help: 'sample negatives from these ranks of the retrieved list' },
  { name: 'negative_number', type: 'int', min: 1, default: 15, help: 'negatives per query' },
  { name: 'search_depth', type: 'int', min: 1, help: 'how deep each query is searched (default hi + 2 × negative_number; ranks beyond hi fill rows the range leaves short)' },
  { name: 'index', type: 'component', default: 'flat', help: "vector index (flat, or a plugin's); in a config file also { name, ...options }" },
  { name: 'index_file', type: 'string', metavar: 'file', help: 'save the corpus index here (or reuse it when it exists)' },
  { name: 'batch_size', type: 'int', min: 1, default: 256, help: 'texts per encoding batch' },
  { name: 'seed', type: 'int', min: 0, default: 42, help: 'seeds the sampling' },
  { name: 'max_score', type: 'number', help: 'drop candidates scoring above this (likely unlabeled positives)' },
  { name: 'min_score', type: 'number', help: 'drop candidates scoring below this' },
  { name: 'absolute_margin', type: 'number', min: 0, help: 'drop candidates scoring above (positive score − margin)' },
  { name: 'relative_margin', type: 'number', min: 0, help: 'drop candidates scoring above positive score × (1 − margin)' },
  { name: 'sampling_strategy', type: 'string', choices: ['top', 'random'], default: 'random', help: 'the best-ranked candidates in the range, or a seeded random sample of them' },
  { name: 'output_format', type: 'string', choices: OUTPUT_FORMATS, default: 'input', help: "input: the rows' own shape with the negatives under negative_key; or a sentence-transformers layout (triplet: one row per negative, n-tuple, labeled-pair, labeled-list)" },
  { name: 'output_scores', type: 'bool', default: false, help: 'also write the scores the miner saw (teacher scores for distillation)' },
  { name: 'negatives_mode', type: 'string', choices: ['replace', 'append'], default: 'replace', help: 'replace the rows\' negatives or add the mined ones to them' },
  { name: 'corpus_shards', type: 'list', metavar: 'a,b,...', help: 'the corpus as shard files written by encode --shard (instead of encoding it here)' },
  { name: 'quiet', type: 'bool', help: 'no progress bars' },
  CONFIG_FLAG,
];
