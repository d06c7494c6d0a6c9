import { add, Generator, mul, rand, randn, RetrievalsError, zeros, type Tensor } from '@retrievals/core-tensor';
import { applyDropout, Linear, Module } from '../modules.js';

/**
 * How lora_A / lora_B start, as PEFT's `init_lora_weights`: `true` = Microsoft's reference init
 * (A kaiming-uniform, B zeros, so the wrapped layer starts equal to the base), `'gaussian'` = A
 * normal with std 1/r, B zeros; `false` = both as nn.Linear's default init (B not zero: the
 * adapter changes the output from the start; PEFT discourages it, it exists for tests).
 */
export type LoraInit = boolean | 'gaussian';

export interface LoraLinearOptions {
  r: number;
  alpha: number;
  dropout?: number;
  /** Rank-stabilised LoRA: scale alpha/√r instead of alpha/r. */
  useRslora?: boolean;
  init?: LoraInit;
  /** Draws the initial A (and B for init false). */
  generator?: Generator;
}

/** nn.Linear's default init, kaiming_uniform_(a=√5): with gain √(2/(1+5)) the bound is 1/√fan_in. */
function kaimingUniform(shape: [number, number], gen: Generator): Tensor {
  const bound = 1 / Math.sqrt(shape[1]);
  return rand(shape, gen, -bound, bound);
}

/**
 * A Linear with a low-rank update, as PEFT's `lora.Linear`:
 * y = base(x) + lora_B(lora_A(dropout(x))) · scaling, scaling = alpha/r (or alpha/√r).
 * Children carry PEFT's names (`base_layer`, `lora_A`, `lora_B`; PEFT adds the adapter name,
 * `lora_A.default`, only in memory), so `namedParameters()` reads like a PEFT model's.
 */
export class LoraLinear extends Module {
  readonly base_layer: Linear;
  readonly lora_A: Linear;
  readonly lora_B: Linear;
  readonly r: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly useRslora: boolean;

  constructor(base: Linear, options: LoraLinearOptions) {
    super();
    const { r, alpha, dropout = 0, useRslora = false, init = true, generator = new Generator(0) } = options;
    if (!Number.isInteger(r) || r < 1) throw new RetrievalsError(`LoRA: r must be a positive integer, got ${r}`);
    if (!Number.isFinite(alpha)) throw new RetrievalsError(`LoRA: alpha must be a number, got ${alpha}`);
    if (!(dropout >= 0 && dropout < 1)) throw new RetrievalsError(`LoRA: dropout must be in [0, 1), got ${dropout}`);
    this.r = r;
    this.alpha = alpha;
    this.dropout = dropout;
    this.useRslora = useRslora;
    this.base_layer = this.addModule('base_layer', base);
    this.lora_A = this.addModule('lora_A', new Linear(base.inFeatures, r, false));
    this.lora_B = this.addModule('lora_B', new Linear(r, base.outFeatures, false));
    const a = init === 'gaussian' ? randn([r, base.inFeatures], generator, 1 / r) : kaimingUniform([r, base.inFeatures], generator);
    const b = init === false ? kaimingUniform([base.outFeatures, r], generator) : zeros([base.outFeatures, r]);
    this.lora_A.setOwnParameter('weight', a.requiresGrad_());
    this.lora_B.setOwnParameter('weight', b.requiresGrad_());
  }

  get inFeatures(): number {
    return this.base_layer.inFeatures;
  }

  get outFeatures(): number {
    return this.base_layer.outFeatures;
  }

  get scaling(): number {
    return this.useRslora ? this.alpha / Math.sqrt(this.r) : this.alpha / this.r;
  }

  /** Replaces A and B (e.g. from a saved adapter); shapes must be [r, in] and [out, r]. */
  setAdapter(a: Tensor, b: Tensor): void {
    this.lora_A.setOwnParameter('weight', a);
    this.lora_B.setOwnParameter('weight', b);
  }

  forward(x: Tensor): Tensor {
    const update = this.lora_B.forward(this.lora_A.forward(applyDropout(this, x, this.dropout)));
    return add(this.base_layer.forward(x), mul(update, this.scaling));
  }
}
