export * from './registry.js';
export { firstTokenPooler } from './poolers/first.js';
export { lastTokenPooler } from './poolers/last.js';
export { maxPooler } from './poolers/max.js';
export { meanPooler, meanSqrtLenPooler } from './poolers/mean.js';
export { weightedMeanPooler } from './poolers/weighted-mean.js';
import './builtins.js';
export { maskAsBool, maskAsFloat } from './mask.js';
