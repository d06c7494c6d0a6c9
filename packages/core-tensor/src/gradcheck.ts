import { RetrievalsError } from './errors.js';
import { isFloat } from './dtype.js';
import { noGrad } from './context.js';
import { add, mul, sum } from './ops/math.js';
import { Generator } from './random.js';
import { realize } from './realize.js';
import { withBackend } from './context.js';
import { randn, Tensor } from './tensor.js';

export interface GradCheckOptions {
  /** Central-difference step. */
  eps?: number;
  /** An element passes when |analytic − numeric| ≤ tol·(1 + |numeric|). */
  tol?: number;
  /** Seed of the random projection of the outputs to a scalar. */
  seed?: number;
  /** Allow an input whose numeric gradient is zero everywhere (by default that is a failure: the check would be vacuous). */
  allowZeroGrad?: boolean;
}

export interface GradCheckReport {
  ok: boolean;
  /** Elements compared. */
  checked: number;
  worst: { input: number; index: number; analytic: number; numeric: number; error: number } | undefined;
  message: string;
}

type Outputs = Tensor | readonly Tensor[] | Record<string, Tensor>;

const list = (o: Outputs): Tensor[] => (o instanceof Tensor ? [o] : Array.isArray(o) ? [...o] : Object.values(o as Record<string, Tensor>));

const copy = (t: Tensor, buffer: Float64Array, requiresGrad = false) => new Tensor({ shape: t.shape, dtype: 'float64', buffer, requiresGrad });

/**
 * Compares the analytic gradient (recorded by backward, realised on js) with central finite
 * differences, for every element of every input. `fn` must be deterministic (create any
 * Generator inside it) and is applied to float64 tensors; its float outputs are projected to one
 * scalar with fixed random weights, so non-scalar ops are fully covered. All finite-difference
 * evaluations are realised together in a few js runs. For authors of ops and losses.
 */
export async function gradCheck(fn: (...xs: Tensor[]) => Outputs, inputs: readonly Tensor[], options: GradCheckOptions = {}): Promise<GradCheckReport> {
  const { eps = 1e-6, tol = 1e-6, seed = 99, allowZeroGrad = false } = options;
  for (const [i, x] of inputs.entries()) {
    if (x.dtype !== 'float64' || !x.buffer) throw new RetrievalsError(`gradCheck: input ${i} must be a float64 tensor with data, got ${x.toString()}`);
  }
  return withBackend('js', async () => {
    // Projection weights, drawn once from the shapes of a first evaluation.
    const probe = noGrad(() => list(fn(...inputs.map((x) => copy(x, (x.buffer as Float64Array).slice())))));
    const gen = new Generator(seed);
    const weights = probe.map((o) => (isFloat(o.dtype) ? randn(o.shape, gen, 1, 'float64') : undefined));
    const project = (outs: Tensor[]): Tensor => {
      let total: Tensor | undefined;
      outs.forEach((o, k) => {
        if (!weights[k]) return;
        if (o.dtype !== 'float64') throw new RetrievalsError(`gradCheck: output ${k} is ${o.dtype}; differentiable outputs must be float64`);
        const term = sum(mul(o, weights[k]!));
        total = total ? add(total, term) : term;
      });
      if (!total) throw new RetrievalsError('gradCheck: fn has no float output');
      return total;
    };

    // Analytic.
    const leaves = inputs.map((x) => copy(x, (x.buffer as Float64Array).slice(), true));
    const scalar = project(list(fn(...leaves)));
    if (!scalar.requiresGrad) throw new RetrievalsError('gradCheck: the output does not depend on any input');
    scalar.backward();
    await realize(...leaves.map((l) => l.grad).filter((g): g is Tensor => g !== undefined));
    const analytic = leaves.map((l, i) => (l.grad ? Float64Array.from(l.grad.dataSync() as Float64Array) : new Float64Array(inputs[i]!.size)));

    // Numeric: f(x + eps·e_j) and f(x − eps·e_j) for every element, realised in batches.
    const jobs: { input: number; index: number; plus: Tensor; minus: Tensor }[] = [];
    noGrad(() => {
      inputs.forEach((x, i) => {
        const base = x.buffer as Float64Array;
        for (let j = 0; j < base.length; j++) {
          const shifted = (delta: number) => {
            const b = base.slice();
            b[j]! += delta;
            return project(list(fn(...inputs.map((y, k) => (k === i ? copy(y, b) : y)))));
          };
          jobs.push({ input: i, index: j, plus: shifted(eps), minus: shifted(-eps) });
        }
      });
    });
    for (let s = 0; s < jobs.length; s += 64) {
      await realize(...jobs.slice(s, s + 64).flatMap((j) => [j.plus, j.minus]));
    }

    let worst: GradCheckReport['worst'];
    let worstExcess = -Infinity;
    const maxNumeric = inputs.map(() => 0);
    for (const job of jobs) {
      const numeric = ((job.plus.dataSync()[0] as number) - (job.minus.dataSync()[0] as number)) / (2 * eps);
      const a = analytic[job.input]![job.index]!;
      const error = Math.abs(a - numeric);
      const excess = Number.isNaN(error) ? Infinity : error - tol * (1 + Math.abs(numeric));
      maxNumeric[job.input] = Math.max(maxNumeric[job.input]!, Math.abs(numeric));
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = { input: job.input, index: job.index, analytic: a, numeric, error };
      }
    }
    const vacuous = allowZeroGrad ? -1 : maxNumeric.findIndex((m) => m === 0);
    const ok = worstExcess <= 0 && vacuous < 0;
    const message =
      vacuous >= 0
        ? `input ${vacuous} has a zero numeric gradient everywhere: the check would be vacuous`
        : worst
          ? `${ok ? 'ok' : 'MISMATCH'}: worst input ${worst.input} element ${worst.index}: analytic ${worst.analytic} vs numeric ${worst.numeric} ` +
            `(error ${worst.error.toExponential(3)}, tol ${tol}·(1+|numeric|)) over ${jobs.length} elements`
          : 'no elements';
    return { ok, checked: jobs.length, worst, message };
  });
}
