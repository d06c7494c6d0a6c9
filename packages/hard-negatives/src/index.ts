export * from './registry.js';
export * from './sample.js';
export { IndexError } from './errors.js';
export { defineIndex, type IndexDefinition } from './define-index.js';
export { FlatIndex } from './flat-index.js';
export { builtinIndexes } from './builtins.js';
