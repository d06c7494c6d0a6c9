import { Registry, type Optimizer, type ParamGroup, type Tensor } from '@retrievals/core-tensor';

/** The learning-rate multiplier at a step (0-based), applied to the optimizer's base rate. */
export type LrSchedule = (step: number) => number;

/** Makes a schedule from its options (always `warmupSteps` and `totalSteps`, plus its own); what the schedulers registry holds. */
export type SchedulerFactory = (options?: Record<string, unknown>) => LrSchedule;

/** Builds the optimizer over the trained tensors (or parameter groups with their own lr / weight decay). */
export type OptimizerBuilder = (params: Tensor[] | ParamGroup[]) => Optimizer;

/** Makes an optimizer builder from its options (`{ name: 'adamw', lr: 2e-5 }`); what the optimizers registry holds. */
export type OptimizerFactory = (options?: Record<string, unknown>) => OptimizerBuilder;

/** The scheduler registry: built-ins and plugins register here and are looked up by name. */
export const schedulers = new Registry<SchedulerFactory>('scheduler', { owner: '@retrievals/trainer' });

/** The optimizer registry; `adamw` unless a config names another. */
export const optimizers = new Registry<OptimizerFactory>('optimizer', { owner: '@retrievals/trainer' });

export const DEFAULT_OPTIMIZER = 'adamw';

declare module '@retrievals/core-tensor' {
  interface Registries {
    schedulers: Registry<SchedulerFactory>;
    optimizers: Registry<OptimizerFactory>;
  }
}
