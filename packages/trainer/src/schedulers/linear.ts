import { defineScheduler, warmUp } from '../define-scheduler.js';

/** transformers' get_linear_schedule_with_warmup: warm up, then linear decay to 0 at totalSteps. */
export const linear = defineScheduler({
  name: 'linear',
  multiplier: (step, { warmupSteps, totalSteps }) =>
    step < warmupSteps ? warmUp(step, warmupSteps) : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps)),
});
