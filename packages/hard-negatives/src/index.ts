export * from './registry.js';
export { parseRange, checkRange, selectNegatives, noneRemoved, type RemovedCounts, type ScoreFilters, type SelectOptions, type Selection, type Candidate } from './sample.js';
export { IndexError, MiningError } from './errors.js';
export { defineIndex, searchNeighbors, hitsOf, type IndexDefinition } from './define-index.js';
export { FlatIndex, FLAT_OPTIONS, type FlatOptions, type FlatPrecision } from './flat-index.js';
export { quantizeInt8, packSigns } from './quantize.js';
export { UsearchIndex, USEARCH_OPTIONS } from './usearch-index.js';
export { TopKAccumulator } from './neighbors.js';
export { kernelsFor, type Kernels, type BlockResult } from './kernels.js';
export { INDEX_FORMAT, TensorFile } from './index-file.js';
export { buildHardNegatives, checkMiningPaths, formatHardNegativesReport, type MiningPaths, type BuildHardNegativesOptions, type HardNegativesReport, type MiningProgress } from './mine.js';
export { scoreStats, type ScoreStats } from './report.js';
export { OUTPUT_FORMATS, type OutputFormat } from './output.js';
export { readTrainingRows, readCandidatePool, readPool, type TrainingRow, type CorpusDoc, type PoolOptions } from './input.js';
export { modelFingerprint, encodingFingerprint, TextHasher } from './fingerprint.js';
export { type MiningModel } from './encode.js';
export {
  parseShard,
  shardRange,
  encodeShard,
  searchShard,
  mergeShardHits,
  readShardHits,
  readShardInfo,
  checkCoverage,
  writeQueryFile,
  readQueryFile,
  type Shard,
  type ShardHits,
  type ShardInfo,
  type ShardIdentity,
  type EncodeShardOptions,
  type EncodeShardResult,
  type SearchShardOptions,
} from './shards.js';
export { builtinIndexes } from './builtins.js';
