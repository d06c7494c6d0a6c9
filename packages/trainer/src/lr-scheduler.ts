import type { Optimizer } from '@retrievals/core-tensor';
import { TrainerError } from './errors.js';
import { schedulers, type LrSchedule } from './registry.js';

/**
 * Drives an optimizer's learning rates by a schedule, as torch's LambdaLR: each group's rate is its
 * base rate times the schedule's multiplier at the current step. `step()` after each optimizer step.
 */
export class LrScheduler {
  readonly baseLrs: number[];
  /** Optimizer steps taken. */
  stepCount = 0;

  constructor(
    readonly optimizer: Optimizer,
    readonly schedule: LrSchedule,
  ) {
    this.baseLrs = optimizer.groups.map((g) => g.lr);
    this.apply();
  }

  private apply(): void {
    const m = this.schedule(this.stepCount);
    this.optimizer.groups.forEach((g, i) => (g.lr = this.baseLrs[i]! * m));
  }

  step(): void {
    this.stepCount++;
    this.apply();
  }

  /** The learning rate of each group now. */
  get lastLr(): number[] {
    return this.optimizer.groups.map((g) => g.lr);
  }

  stateDict(): { stepCount: number; baseLrs: number[] } {
    return { stepCount: this.stepCount, baseLrs: [...this.baseLrs] };
  }

  loadStateDict(s: { stepCount: number; baseLrs: number[] }): void {
    if (s.baseLrs.length !== this.baseLrs.length) throw new TrainerError(`scheduler state: ${s.baseLrs.length} parameter groups, the optimizer has ${this.baseLrs.length}`);
    this.stepCount = s.stepCount;
    s.baseLrs.forEach((lr, i) => (this.baseLrs[i] = lr));
    this.apply();
  }
}

/** A registered schedule (`linear`, `cosine`, `constant`, …) over an optimizer. */
export function createScheduler(optimizer: Optimizer, spec: string | ({ name: string } & Record<string, unknown>), steps: { warmupSteps: number; totalSteps: number }): LrScheduler {
  const given = typeof spec === 'string' ? { name: spec } : spec;
  return new LrScheduler(optimizer, schedulers.create({ ...steps, ...given }));
}

/** transformers' get_linear_schedule_with_warmup. */
export const linearScheduleWithWarmup = (optimizer: Optimizer, steps: { warmupSteps: number; totalSteps: number }): LrScheduler => createScheduler(optimizer, 'linear', steps);

/** transformers' get_cosine_schedule_with_warmup. */
export const cosineScheduleWithWarmup = (optimizer: Optimizer, steps: { warmupSteps: number; totalSteps: number; numCycles?: number }): LrScheduler =>
  createScheduler(optimizer, { name: 'cosine', ...(steps.numCycles !== undefined ? { numCycles: steps.numCycles } : {}) }, { warmupSteps: steps.warmupSteps, totalSteps: steps.totalSteps });
