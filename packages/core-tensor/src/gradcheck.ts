import { RetrievalsError } from './errors.js';
import { noGrad } from './grad-mode.js';
import { realize, withBackend } from './realize.js';
import { Tensor } from './tensor.js';
import { Generator } from './random.js';

export interface GradCheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

export interface GradCheckResult {
  ok: boolean;
  /** Worst |analytic − numeric| − tolerance over all checked elements, with where it happened. */
  worst: { input: number; index: number; analytic: number; numeric: number };
}

/**
 * Compares the analytic gradient of fn (through backward) with central finite differences, for
 * every element of every float64 input, on the js backend. A non-scalar output is projected to a
 * scalar with fixed random weights, so every output element takes part. For loss and op authors.
 */
export async function gradCheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const { eps = 1e-6, atol = 1e-7, rtol = 1e-5, seed = 0 } = options;
  for (const x of inputs) if (x.dtype !== 'float64' || !x.buffer) throw new RetrievalsError('gradCheck: inputs must be float64 tensors with data');
  return withBackend('js', async () => {
    const leaves = inputs.map((x) => new Tensor({ shape: x.shape, dtype: 'float64', buffer: x.buffer!.slice() }).requiresGrad_());
    const out0 = fn(...leaves);
    const gen = new Generator(seed);
    const proj = new Tensor({ shape: out0.shape, dtype: 'float64', buffer: Float64Array.from({ length: out0.size }, () => gen.normal()) });
    const scalar = (t: Tensor) => t.mul(proj).sum();
    scalar(out0).backward();
    const grads = leaves.map((l) => l.grad);
    await realize(...grads.filter((g): g is Tensor => g !== undefined));
    const value = async (xs: Tensor[]) => (await noGrad(() => scalar(fn(...xs))).data())[0] as number;
    let worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
    let worstExcess = -Infinity;
    for (let i = 0; i < inputs.length; i++) {
      const base = inputs[i]!.buffer as Float64Array;
      const analytic = grads[i] ? (grads[i]!.dataSync() as Float64Array) : new Float64Array(base.length);
      for (let j = 0; j < base.length; j++) {
        const shifted = (delta: number) => {
          const b = base.slice();
          b[j]! += delta;
          return inputs.map((x, k) => (k === i ? new Tensor({ shape: x.shape, dtype: 'float64', buffer: b }) : x));
        };
        const numeric = ((await value(shifted(eps))) - (await value(shifted(-eps)))) / (2 * eps);
        const excess = Math.abs(analytic[j]! - numeric) - (atol + rtol * Math.abs(numeric));
        if (excess > worstExcess || Number.isNaN(excess)) {
          worstExcess = Number.isNaN(excess) ? Infinity : excess;
          worst = { input: i, index: j, analytic: analytic[j]!, numeric };
        }
      }
    }
    return { ok: worstExcess <= 0, worst };
  });
}
