export type { CollatedBatch, CollatedField, CollateContext, Collator, CollatorStats, TargetRole, TextFeature, TextRole } from './types.js';
export { lengthBuckets, bucketFor, type CollatorTokenizer } from './tokenize.js';
export { RetrievalCollator, type RetrievalCollatorOptions } from './retrieval.js';
export { ScoredPairCollator, type ScoredPairCollatorOptions } from './scored.js';
export { PointCollator, classesOf, type PointCollatorOptions } from './point.js';
export { ListwiseCollator, type ListwiseCollatorOptions } from './listwise.js';
