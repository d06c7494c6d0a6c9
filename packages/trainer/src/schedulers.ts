import { schedulers, type Scheduler } from './registry.js';

// Multipliers of the base learning rate, as transformers' get_*_schedule_with_warmup define them.
const warm = (step: number, warmup: number) => (warmup > 0 && step < warmup ? step / warmup : 1);

const constant: Scheduler = ({ warmupSteps }) => (step) => warm(step, warmupSteps);

const linear: Scheduler = ({ warmupSteps, totalSteps }) => (step) =>
  step < warmupSteps ? warm(step, warmupSteps) : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));

const cosine: Scheduler = ({ warmupSteps, totalSteps }) => (step) => {
  if (step < warmupSteps) return warm(step, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
};

export function registerBuiltinSchedulers(): void {
  schedulers.register('constant', constant, { override: true, aliases: ['constant_with_warmup'] });
  schedulers.register('linear', linear, { override: true });
  schedulers.register('cosine', cosine, { override: true });
}
registerBuiltinSchedulers();
