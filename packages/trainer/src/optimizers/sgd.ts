import { checks, opt, OptionError, SGD } from '@retrievals/core-tensor';
import { defineOptimizer } from '../define-optimizer.js';

/** core-tensor's SGD (torch.optim.SGD), with its defaults. */
export const sgd = defineOptimizer({
  name: 'sgd',
  options: {
    lr: opt(1e-3, checks.positive),
    momentum: opt(0, checks.nonNegative),
    dampening: opt(0, checks.nonNegative),
    nesterov: opt(false, checks.boolean),
    weightDecay: opt(0, checks.nonNegative),
  },
  validate(o) {
    // torch.optim.SGD's own rule: Nesterov momentum is defined for undamped momentum only.
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new OptionError(`optimizer sgd: option 'nesterov' needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`, { kind: 'optimizer', name: 'sgd', option: 'nesterov' });
    }
  },
  make: (params, o) => new SGD(params, o),
});
