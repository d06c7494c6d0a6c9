export * from './errors.js';
export * from './registry.js';
export * from './plugin.js';
export * from './dtype.js';
export * from './safetensors/index.js';
export * from './random.js';
