import { add, mul, sub } from '../ops/math.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, scalarFeed, type ParamGroup, type ResolvedGroup } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient, as torch.optim.SGD's weight_decay. */
  weightDecay?: number;
}

/** torch.optim.SGD with momentum (the first step's buffer is the gradient itself). */
export class SGD extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], readonly options: SGDOptions = {}) {
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0 });
  }

  protected stepFeeds(group: ResolvedGroup, like: Tensor): Record<string, Tensor> {
    return { lr: scalarFeed(group.lr, like) };
  }

  protected update(p: Tensor, grad: Tensor, group: ResolvedGroup, f: Record<string, Tensor>) {
    const { momentum = 0, dampening = 0, nesterov = false } = this.options;
    let g = group.weightDecay ? add(grad, mul(p, group.weightDecay)) : grad;
    const state: Record<string, Tensor> = {};
    if (momentum) {
      const prev = this.state.get(p.id)?.buf;
      const buf = prev ? add(mul(prev, momentum), mul(g, 1 - dampening)) : g;
      state.buf = buf;
      g = nesterov ? add(g, mul(buf, momentum)) : buf;
    }
    return { param: sub(p, mul(g, f.lr!)), state };
  }
}
