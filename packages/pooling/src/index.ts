export * from './registry.js';
export { firstTokenPooler } from './poolers/first.js';
export { lastTokenPooler } from './poolers/last.js';
export { maxPooler } from './poolers/max.js';
export { meanPooler, meanSqrtLenPooler } from './poolers/mean.js';
export { weightedMeanPooler } from './poolers/weighted-mean.js';
export { definePooler, type PoolerDefinition } from './define-pooler.js';
export { builtinPoolers } from './builtins.js';
