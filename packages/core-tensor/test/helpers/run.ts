import { expect } from 'vitest';
import { add, isFloat, mul, realize, sum, Tensor, withBackend, type DType } from '../../src/index.js';
import { allClose, toNumbers, type CloseOptions } from './close.js';
import { Rand } from './random.js';

export type BackendName = 'js' | 'ort';

/** A realised output: shape, dtype and values as plain numbers. */
export interface Value {
  shape: number[];
  dtype: DType;
  values: number[];
}

export type Values = Record<string, Value>;

/**
 * Builds a fresh graph with `build` and realises all its outputs in ONE run on the given backend
 * (one compiled ONNX graph on ort). `build` is called inside, so each backend gets its own nodes.
 */
export async function runOn(backend: BackendName, build: () => Record<string, Tensor>): Promise<Values> {
  return withBackend(backend, async () => {
    const outs = build();
    await realize(...Object.values(outs));
    const result: Values = {};
    for (const [name, t] of Object.entries(outs)) {
      result[name] = { shape: [...t.shape], dtype: t.dtype, values: toNumbers(t.dataSync(), t.dtype) };
    }
    return result;
  });
}

/**
 * Sums every differentiable output weighted by fixed random weights (seeded, so the same on each
 * backend and each call) and calls backward on that scalar: every output element takes part.
 */
export function backwardProjected(outputs: readonly Tensor[], seed = 1234): Tensor {
  const rand = new Rand(seed);
  let total: Tensor | undefined;
  for (const out of outputs) {
    if (!out.requiresGrad || !isFloat(out.dtype)) continue;
    const w = rand.normal(out.shape, { dtype: out.dtype as 'float32' | 'float64' });
    const term = sum(mul(out, w));
    total = total ? add(total, term) : term;
  }
  if (!total) throw new Error('backwardProjected: no output requires grad');
  total.backward();
  return total;
}

/** Expects every output of `a` and `b` to match: same names, shapes, dtypes; values within tolerance. */
export function expectSameValues(a: Values, b: Values, options: CloseOptions & { labels?: [string, string] } = {}): void {
  const [la, lb] = options.labels ?? ['a', 'b'];
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(b)) {
    const x = a[name]!, y = b[name]!;
    expect(x.shape, `${name}: shape on ${la} vs ${lb}`).toEqual(y.shape);
    expect(x.dtype, `${name}: dtype on ${la} vs ${lb}`).toBe(y.dtype);
    const exact = !isFloat(y.dtype);
    const report = allClose(x.values, y.values, { ...(exact ? { rtol: 0, atol: 0 } : options), shape: y.shape });
    expect(report.ok, `${name} [${y.shape}] ${y.dtype}, ${la} vs ${lb}: ${report.message}`).toBe(true);
  }
}
