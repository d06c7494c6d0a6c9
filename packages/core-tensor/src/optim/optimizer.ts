import type { TypedArray } from '../dtype.js';
import { RetrievalsError } from '../errors.js';
import { noGrad } from '../context.js';
import { realize } from '../realize.js';
import { Tensor } from '../tensor.js';

export interface ParamGroup {
  params: Tensor[];
  lr?: number;
  weightDecay?: number;
}

export interface ResolvedGroup {
  params: Tensor[];
  lr: number;
  weightDecay: number;
}

/** A scalar fed to the compiled step (not a constant), so changing it never recompiles. */
export function scalarFeed(value: number, like: Tensor): Tensor {
  const buf = like.dtype === 'float64' ? new Float64Array([value]) : new Float32Array([value]);
  return new Tensor({ shape: [], dtype: like.dtype, buffer: buf });
}

/**
 * Optimizers build the update of every parameter as graph nodes, so `step()` realises forward,
 * backward and update in ONE compiled run. Parameters and state go in as inputs and their new
 * values come back as outputs.
 */
export abstract class Optimizer {
  readonly groups: ResolvedGroup[];
  /** Per-parameter state tensors (by parameter id), e.g. Adam's moments. */
  protected readonly state = new Map<number, Record<string, Tensor>>();
  stepCount = 0;

  constructor(params: Tensor[] | ParamGroup[], defaults: { lr: number; weightDecay: number }) {
    const groups: ParamGroup[] = params.length && params[0] instanceof Tensor ? [{ params: params as Tensor[] }] : (params as ParamGroup[]);
    this.groups = groups.map((g) => ({ params: g.params, lr: g.lr ?? defaults.lr, weightDecay: g.weightDecay ?? defaults.weightDecay }));
    const seen = new Set<number>();
    for (const p of this.groups.flatMap((g) => g.params)) {
      if (!p.requiresGrad) throw new RetrievalsError(`optimizer: parameter ${p.name ?? p.toString()} does not require grad`);
      if (p.node) throw new RetrievalsError(`optimizer: parameter ${p.name ?? p.toString()} is not a leaf tensor`);
      if (seen.has(p.id)) throw new RetrievalsError(`optimizer: parameter ${p.name ?? p.toString()} appears in two groups`);
      seen.add(p.id);
    }
  }

  get params(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = undefined;
  }

  /** The new value of `p` and of its state entries, as lazy tensors. */
  protected abstract update(p: Tensor, grad: Tensor, group: ResolvedGroup, feeds: Record<string, Tensor>): { param: Tensor; state: Record<string, Tensor> };

  /** Per-group scalars fed to this step (learning rate, bias corrections). */
  protected abstract stepFeeds(group: ResolvedGroup, like: Tensor): Record<string, Tensor>;

  /**
   * Applies one update from the current gradients, realising `alsoRealize` (e.g. the loss) in the
   * same run. Gradients are consumed: a lazy gradient refers to the pre-step parameters, so it is
   * cleared rather than left to be recomputed against the new ones.
   */
  async step(...alsoRealize: Tensor[]): Promise<void> {
    this.stepCount++;
    const pending: { p: Tensor; param: Tensor; state: Record<string, Tensor> }[] = [];
    noGrad(() => {
      for (const group of this.groups) {
        const withGrad = group.params.filter((p) => p.grad);
        if (!withGrad.length) continue;
        const feeds = this.stepFeeds(group, withGrad[0]!);
        for (const p of withGrad) pending.push({ p, ...this.update(p, p.grad!, group, feeds) });
      }
    });
    await realize(...alsoRealize, ...pending.flatMap((u) => [u.param, ...Object.values(u.state)]));
    for (const { p, param, state } of pending) {
      p.buffer = param.buffer;
      this.state.set(p.id, Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.detach()])));
      p.grad = undefined;
    }
  }

  /** Optimizer state as plain arrays by parameter index, for checkpoints. */
  stateDict(): { step: number; lrs: number[]; state: Record<string, TypedArray>[] } {
    return {
      step: this.stepCount,
      lrs: this.groups.map((g) => g.lr),
      state: this.params.map((p) => Object.fromEntries(Object.entries(this.state.get(p.id) ?? {}).map(([k, t]) => [k, t.dataSync()]))),
    };
  }

  loadStateDict(dict: { step: number; lrs: number[]; state: Record<string, TypedArray>[] }): void {
    const params = this.params;
    if (dict.state.length !== params.length || dict.lrs.length !== this.groups.length) {
      throw new RetrievalsError(`optimizer state: ${dict.state.length} parameters / ${dict.lrs.length} groups, expected ${params.length} / ${this.groups.length}`);
    }
    this.stepCount = dict.step;
    dict.lrs.forEach((lr, i) => (this.groups[i]!.lr = lr));
    params.forEach((p, i) => {
      const entries = Object.entries(dict.state[i]!).map(([k, data]) => {
        if (data.length !== p.size) throw new RetrievalsError(`optimizer state: '${k}' of parameter ${i} has ${data.length} values, expected ${p.size}`);
        return [k, new Tensor({ shape: p.shape, dtype: p.dtype, buffer: data })];
      });
      if (entries.length) this.state.set(p.id, Object.fromEntries(entries));
    });
  }
}
