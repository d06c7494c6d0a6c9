import { AdamW, checks, opt, type OptionCheck } from '@retrievals/core-tensor';
import { defineOptimizer } from '../define-optimizer.js';

const betaPair: OptionCheck = (v) =>
  Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && b >= 0 && b < 1) ? undefined : 'two numbers in [0, 1), e.g. [0.9, 0.999]';

/** core-tensor's AdamW (torch.optim.AdamW), with its defaults. */
export const adamw = defineOptimizer({
  name: 'adamw',
  options: {
    lr: opt(1e-3, checks.positive),
    betas: opt<[number, number]>([0.9, 0.999], betaPair),
    eps: opt(1e-8, checks.positive),
    weightDecay: opt(0.01, checks.nonNegative),
  },
  make: (params, o) => new AdamW(params, o),
});
