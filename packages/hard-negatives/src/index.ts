export * from './registry.js';
export * from './sample.js';
