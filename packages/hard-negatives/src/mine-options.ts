import { checks, opt, samePath, type ComponentSpec, type OptionCheck } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from '@retrievals/models';
import type { MiningModel } from './encode.js';
import { MiningError } from './errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';
import { checkRange, parseRange } from './sample.js';

/** A stage of a mining run, for a progress callback. */
export interface MiningProgress {
  stage: 'read' | 'encode-corpus' | 'encode-queries' | 'encode-positives' | 'search' | 'write';
  done: number;
  total: number;
}

export interface BuildHardNegativesOptions {
  /** A loaded AutoModelForEmbedding (anything with its encode / encodeQueries / encodeCorpus). */
  model: AutoModelForEmbedding | MiningModel;
  /** JSONL rows: `{query, pos, neg?, ...}` (keys below); every other field is kept in the output. */
  inputFile: string;
  outputFile: string;
  /** JSONL of `{text}` or `{title, text}` (optional `id`): the candidates. Without it, every positive and negative of the input (deduplicated). */
  candidatePool?: string;
  /** The candidate pool's text field (default `text`). */
  textKey?: string;
  queryKey?: string;
  /** A text or a list of texts (default `pos`). */
  positiveKey?: string;
  /** A text or a list of texts, optional in the input (default `neg`). */
  negativeKey?: string;
  /** [lo, hi] or "lo-hi": ranks lo+1..hi of each query's retrieved list are sampled from (default [10, 210], open-retrievals' "10-210"). */
  rangeForSampling?: [number, number] | string;
  /** Negatives per row (default 15). */
  negativeNumber?: number;
  /** How deep each query is searched (default hi + 2 × negativeNumber): ranks beyond hi fill rows the range leaves short. */
  searchDepth?: number;
  /** Replaces the model's query / document instruction templates (`{}` marks the text; else a prefix). */
  queryInstruction?: string;
  documentInstruction?: string;
  /** L2-normalise embeddings, so scores are cosines (default true, as sentence-transformers' mine_hard_negatives). */
  normalize?: boolean;
  /** The index: a registry name or `{ name, ...options }` (default 'flat'). */
  index?: ComponentSpec;
  /** Save the corpus index here, and reuse it on a later run when it was built from the same corpus, model, instruction and index kind. */
  indexFile?: string;
  batchSize?: number;
  /** Seed of the random sampling (default 42); each row draws from its own derived generator, so results do not depend on batching. */
  seed?: number;
  maxScore?: number;
  minScore?: number;
  absoluteMargin?: number;
  relativeMargin?: number;
  /** 'random' (default, open-retrievals) or 'top' (sentence-transformers' default). */
  samplingStrategy?: 'random' | 'top';
  /** 'input' (default: the rows' own shape) or a sentence-transformers layout; see OutputFormat. */
  outputFormat?: OutputFormat;
  /** 'replace' (default, open-retrievals) the rows' negatives, or 'append' to them. */
  negativesMode?: 'replace' | 'append';
  /** Write the scores the miner saw (teacher scores for distillation): `pos_scores` / `neg_scores` for 'input' and 'triplet', `score` / `scores` for the others. */
  outputScores?: boolean;
  positiveScoresKey?: string;
  negativeScoresKey?: string;
  /** Embedding shards of the candidate pool (encodeShard's files): searched one by one, merged; needs candidatePool. */
  corpusShards?: string[];
  /** Map-step outputs (searchShard's files) to merge instead of searching: the reduce step of a distributed run. */
  shardHits?: string[];
  /** Query embeddings: read from here when the file holds this run's queries, else encoded and written here (for map steps elsewhere). */
  queryEmbeddingsFile?: string;
  /** Overrides the model fingerprint (for a model object without a folder). */
  modelFingerprint?: string;
  /** true: the model's progress bars and a line per stage; a function: called as each stage advances. */
  showProgress?: boolean | ((p: MiningProgress) => void);
  /** Where messages go (reused index, fill-ins, ...); default: nowhere. */
  log?: (line: string) => void;
}

const maybe = (check: OptionCheck): OptionCheck => (v) => (v === undefined ? undefined : check(v));
const stringList: OptionCheck = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0) ? undefined : 'a list of file paths');
const rangeCheck: OptionCheck = (v) => {
  try {
    if (typeof v === 'string') parseRange(v);
    else checkRange(v);
    return undefined;
  } catch {
    return '[lo, hi] or "lo-hi" with 0 <= lo < hi';
  }
};

export const SPEC = {
  model: opt<unknown>(undefined, (v) => (v && typeof (v as MiningModel).encode === 'function' ? undefined : 'a loaded model (AutoModelForEmbedding)')),
  inputFile: opt<string>('', checks.nonEmptyString),
  outputFile: opt<string>('', checks.nonEmptyString),
  candidatePool: opt<string | undefined>(undefined, maybe(checks.nonEmptyString)),
  textKey: opt('text', checks.nonEmptyString),
  queryKey: opt('query', checks.nonEmptyString),
  positiveKey: opt('pos', checks.nonEmptyString),
  negativeKey: opt('neg', checks.nonEmptyString),
  rangeForSampling: opt<[number, number] | string>([10, 210], rangeCheck),
  negativeNumber: opt(15, checks.positiveInteger),
  searchDepth: opt<number | undefined>(undefined, maybe(checks.positiveInteger)),
  queryInstruction: opt<string | undefined>(undefined, maybe((v) => (typeof v === 'string' ? undefined : 'a string'))),
  documentInstruction: opt<string | undefined>(undefined, maybe((v) => (typeof v === 'string' ? undefined : 'a string'))),
  normalize: opt(true, checks.boolean),
  index: opt<ComponentSpec>('flat', (v) => (typeof v === 'string' || (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string') ? undefined : "an index name or { name, ...options }")),
  indexFile: opt<string | undefined>(undefined, maybe(checks.nonEmptyString)),
  batchSize: opt<number | undefined>(undefined, maybe(checks.positiveInteger)),
  seed: opt(42, checks.nonNegativeInteger),
  maxScore: opt<number | undefined>(undefined, maybe(checks.finite)),
  minScore: opt<number | undefined>(undefined, maybe(checks.finite)),
  absoluteMargin: opt<number | undefined>(undefined, maybe(checks.finite)),
  relativeMargin: opt<number | undefined>(undefined, maybe(checks.finite)),
  samplingStrategy: opt<'random' | 'top'>('random', checks.oneOf('random', 'top')),
  outputFormat: opt<OutputFormat>('input', checks.oneOf(...OUTPUT_FORMATS)),
  negativesMode: opt<'replace' | 'append'>('replace', checks.oneOf('replace', 'append')),
  outputScores: opt(false, checks.boolean),
  positiveScoresKey: opt('pos_scores', checks.nonEmptyString),
  negativeScoresKey: opt('neg_scores', checks.nonEmptyString),
  corpusShards: opt<string[] | undefined>(undefined, maybe(stringList)),
  shardHits: opt<string[] | undefined>(undefined, maybe(stringList)),
  queryEmbeddingsFile: opt<string | undefined>(undefined, maybe(checks.nonEmptyString)),
  modelFingerprint: opt<string | undefined>(undefined, maybe(checks.nonEmptyString)),
  showProgress: opt<boolean | ((p: MiningProgress) => void)>(false, (v) => (typeof v === 'boolean' || typeof v === 'function' ? undefined : 'true, false or a function')),
  log: opt<((line: string) => void) | undefined>(undefined, maybe((v) => (typeof v === 'function' ? undefined : 'a function'))),
};

/** The files a mining run reads and writes, as checkMiningPaths takes them. */
export type MiningPaths = Pick<BuildHardNegativesOptions, 'inputFile' | 'outputFile' | 'candidatePool' | 'indexFile' | 'queryEmbeddingsFile' | 'corpusShards' | 'shardHits'>;

/**
 * Throws a MiningError when a file the run writes (outputFile, indexFile, queryEmbeddingsFile) is a
 * file it reads (inputFile, candidatePool, corpusShards, shardHits) or another file it writes.
 * indexFile and queryEmbeddingsFile are read as well as written, by design: they are this run's own
 * caches, so only their clashes with the other files count.
 */
export function checkMiningPaths(o: MiningPaths): void {
  const written: [string, string][] = [['outputFile', o.outputFile]];
  if (o.indexFile) written.push(['indexFile', o.indexFile]);
  if (o.queryEmbeddingsFile) written.push(['queryEmbeddingsFile', o.queryEmbeddingsFile]);
  const read: [string, string][] = [['inputFile', o.inputFile]];
  if (o.candidatePool) read.push(['candidatePool', o.candidatePool]);
  (o.corpusShards ?? []).forEach((f, i) => read.push([`corpusShards[${i}]`, f]));
  (o.shardHits ?? []).forEach((f, i) => read.push([`shardHits[${i}]`, f]));
  for (const [i, [what, path]] of written.entries()) {
    for (const [other, otherPath] of [...read, ...written.slice(i + 1)]) {
      if (path && otherPath && samePath(path, otherPath)) throw new MiningError(`build-hn: ${what} ${path} is the ${other}; writing it would destroy it, choose another path`);
    }
  }
}

const KEY_OPTIONS = ['queryKey', 'positiveKey', 'negativeKey', 'positiveScoresKey', 'negativeScoresKey'] as const;

/** The row keys must differ, or one field of an output record would overwrite another (negatives over the positives, ...). */
export function checkDistinctKeys(o: Record<(typeof KEY_OPTIONS)[number], string>): void {
  for (let i = 0; i < KEY_OPTIONS.length; i++) {
    for (let j = i + 1; j < KEY_OPTIONS.length; j++) {
      const a = KEY_OPTIONS[i]!, b = KEY_OPTIONS[j]!;
      if (o[a] === o[b]) throw new MiningError(`build-hn: ${a} and ${b} are both '${o[a]}'; give each its own field name`);
    }
  }
}
