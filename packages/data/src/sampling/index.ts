export { sampleGroup, type GroupLike, type SampledGroup } from './groups.js';
export { batchIndices, type BatchSamplerOptions } from './batches.js';
export { derivedGenerator } from './seeds.js';
