import { checks, opt, OptionError, parseOptions, RetrievalsError, type OptionSpecs, type ParsedOptions } from '@retrievals/core-tensor';
import type { LrSchedule, SchedulerFactory } from './registry.js';

/** The options every schedule takes: the trainer fills them from the run's length. */
const STEPS = { warmupSteps: opt(0, checks.nonNegativeInteger), totalSteps: opt<number | undefined>(undefined, checks.positiveInteger) };

type StepOptions = { warmupSteps: number; totalSteps: number };

export interface SchedulerDefinition<S extends OptionSpecs> {
  /** The registry name, used in every error message. */
  name: string;
  /** Options beyond warmupSteps and totalSteps. */
  options?: S;
  /** The multiplier at `step`, given the run's warm-up and length and its own options. */
  multiplier: (step: number, options: StepOptions & ParsedOptions<S>) => number;
}

/**
 * Makes what the schedulers registry holds, adding what every schedule needs: warmupSteps (default
 * 0) and totalSteps (required) checked with its own options, steps checked to be integers ≥ 0, and a
 * multiplier checked to be finite and ≥ 0. Built-ins and plugins both use it.
 */
export function defineScheduler<S extends OptionSpecs = Record<never, never>>(def: SchedulerDefinition<S>): SchedulerFactory {
  const who = { kind: 'scheduler', name: def.name };
  return (given) => {
    const o = parseOptions(who, given, { ...STEPS, ...(def.options ?? {}) }) as StepOptions & ParsedOptions<S>;
    if (o.totalSteps === undefined) throw new OptionError(`scheduler ${def.name}: option 'totalSteps' is required`, { ...who, option: 'totalSteps' });
    const schedule: LrSchedule = (step) => {
      if (!Number.isSafeInteger(step) || step < 0) throw new RetrievalsError(`scheduler ${def.name}: step must be an integer ≥ 0, got ${step}`);
      const m = def.multiplier(step, o);
      if (!Number.isFinite(m) || m < 0) throw new RetrievalsError(`scheduler ${def.name}: multiplier at step ${step} is ${m}, expected a finite number ≥ 0`);
      return m;
    };
    return schedule;
  };
}

/** The linear warm-up every transformers schedule starts with. */
export const warmUp = (step: number, warmupSteps: number): number => (warmupSteps > 0 && step < warmupSteps ? step / warmupSteps : 1);
