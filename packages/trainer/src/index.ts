export * from './registry.js';
export { defineScheduler, warmUp, type SchedulerDefinition } from './define-scheduler.js';
export { defineOptimizer, type OptimizerDefinition } from './define-optimizer.js';
export { builtinTrainerComponents } from './builtins.js';
