import { Registry } from '@retrievals/core-tensor';
/** Learning-rate multiplier at a step, given the total number of steps. */
export type Scheduler = (options: { warmupSteps: number; totalSteps: number }) => (step: number) => number;

/** The scheduler registry: built-ins and plugins register here and are looked up by name. */
export const schedulers = new Registry<Scheduler>('scheduler');

declare module '@retrievals/core-tensor' {
  interface Registries {
    schedulers: Registry<Scheduler>;
  }
}
