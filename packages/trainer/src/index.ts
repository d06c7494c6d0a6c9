export * from './registry.js';
export { registerBuiltinSchedulers } from './schedulers.js';
