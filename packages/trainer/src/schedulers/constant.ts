import { defineScheduler, warmUp } from '../define-scheduler.js';

/** transformers' get_constant_schedule_with_warmup: warm up, then the base rate. */
export const constant = defineScheduler({ name: 'constant', multiplier: (step, o) => warmUp(step, o.warmupSteps) });
