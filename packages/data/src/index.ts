export * from './registry.js';
export * from './jsonl.js';
