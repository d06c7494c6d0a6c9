export * from './registry.js';
export * from './jsonl.js';
export * from './texts.js';
