import { checks, opt } from '@retrievals/core-tensor';
import { defineScheduler, warmUp } from '../define-scheduler.js';

/**
 * transformers' get_cosine_schedule_with_warmup: warm up, then 0.5·(1 + cos(π·2·numCycles·progress)),
 * progress clamped at 1 so steps past the end stay at the last value (0 for the default half cycle).
 */
export const cosine = defineScheduler({
  name: 'cosine',
  options: { numCycles: opt(0.5, checks.positive) },
  multiplier(step, { warmupSteps, totalSteps, numCycles }) {
    if (step < warmupSteps) return warmUp(step, warmupSteps);
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * numCycles * progress)));
  },
});
