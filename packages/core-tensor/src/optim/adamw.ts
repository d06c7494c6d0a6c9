import { add, div, mul, sqrt, sub } from '../ops/math.js';
import { zeros, type Tensor } from '../tensor.js';
import { Optimizer, scalarFeed, type ParamGroup, type ResolvedGroup } from './optimizer.js';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled weight decay (Loshchilov & Hutter), default 0.01 as torch.optim.AdamW. */
  weightDecay?: number;
}

/** torch.optim.AdamW, computed the way PyTorch does (step size lr/bc1, denominator √v/√bc2 + eps). */
export class AdamW extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;

  constructor(params: Tensor[] | ParamGroup[], options: AdamWOptions = {}) {
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01 });
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
  }

  protected stepFeeds(group: ResolvedGroup, like: Tensor): Record<string, Tensor> {
    const [b1, b2] = this.betas;
    const t = this.stepCount;
    return {
      decay: scalarFeed(1 - group.lr * group.weightDecay, like),
      stepSize: scalarFeed(group.lr / (1 - b1 ** t), like),
      bc2Sqrt: scalarFeed(Math.sqrt(1 - b2 ** t), like),
    };
  }

  protected update(p: Tensor, g: Tensor, _group: ResolvedGroup, f: Record<string, Tensor>) {
    const [b1, b2] = this.betas;
    const s = this.state.get(p.id) ?? { m: zeros(p.shape, p.dtype), v: zeros(p.shape, p.dtype) };
    const m = add(mul(s.m!, b1), mul(g, 1 - b1));
    const v = add(mul(s.v!, b2), mul(mul(g, g), 1 - b2));
    const denom = add(div(sqrt(v), f.bc2Sqrt!), this.eps);
    const param = sub(mul(p, f.decay!), mul(div(m, denom), f.stepSize!));
    return { param, state: { m, v } };
  }
}
