import { add, bfloat16ToFloat, Generator, isFloat, mul, randn, realize, sum, Tensor, withBackend, type DType, type TypedArray } from '@retrievals/core-tensor';
import { expect } from 'vitest';
import { install } from './setup.js';

export interface Value {
  shape: number[];
  dtype: DType;
  values: number[];
}
export type Values = Record<string, Value>;

const numbers = (b: TypedArray, dtype: DType) => (dtype === 'bfloat16' ? Array.from(b as Uint16Array, bfloat16ToFloat) : Array.from(b, Number));

/** Builds a fresh graph and realises all its outputs in ONE run on the backend. */
export async function runOn(backend: string, build: () => Record<string, Tensor>): Promise<Values> {
  await install();
  return withBackend(backend, async () => {
    const outs = build();
    await realize(...Object.values(outs));
    const r: Values = {};
    for (const [k, t] of Object.entries(outs)) r[k] = { shape: [...t.shape], dtype: t.dtype, values: numbers(t.dataSync(), t.dtype) };
    return r;
  });
}

/** Σ of every float output weighted by fixed random weights, then backward (each element takes part). */
export function backwardProjected(outputs: readonly Tensor[], seed = 1234): void {
  const gen = new Generator(seed);
  let total: Tensor | undefined;
  for (const o of outputs) {
    if (!o.requiresGrad || !isFloat(o.dtype)) continue;
    const term = sum(mul(o, randn(o.shape, gen, 1, o.dtype as 'float32')));
    total = total ? add(total, term) : term;
  }
  if (!total) throw new Error('backwardProjected: no output requires grad');
  total.backward();
}

/** Every output within |a − b| ≤ atol + rtol·|b| (NaN matches NaN, ±Infinity must be equal); integers exactly. */
export function expectClose(a: Values, b: Values, rtol: number, atol: number, labels: [string, string]): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) {
    const x = a[k]!, y = b[k]!;
    expect(x.shape, `${k}: shape`).toEqual(y.shape);
    expect(x.dtype, `${k}: dtype`).toBe(y.dtype);
    const exact = !isFloat(y.dtype);
    let worst = -1, worstErr = 0;
    for (let i = 0; i < y.values.length; i++) {
      const p = x.values[i]!, q = y.values[i]!;
      if (Number.isNaN(q) ? Number.isNaN(p) : !Number.isFinite(q) ? p === q : exact ? p === q : Math.abs(p - q) <= atol + rtol * Math.abs(q)) continue;
      const err = Number.isFinite(p - q) ? Math.abs(p - q) : Infinity;
      if (worst < 0 || err > worstErr) [worst, worstErr] = [i, err];
    }
    expect(worst, `${k} [${y.shape}] ${y.dtype}, ${labels[0]} vs ${labels[1]}: element ${worst}: ${x.values[worst]} vs ${y.values[worst]}`).toBe(-1);
  }
}

/** Fresh data tensors from a seed (each backend run gets its own copies). */
export class Rand {
  private gen: Generator;
  constructor(seed: number) {
    this.gen = new Generator(seed);
  }
  normal(shape: number[], { std = 1, mean = 0, dtype = 'float32' as 'float32' | 'float64' } = {}): Tensor {
    const t = randn(shape, this.gen, std, dtype);
    const b = t.dataSync() as Float32Array;
    for (let i = 0; i < b.length; i++) b[i]! += mean;
    return t;
  }
  ints(shape: number[], hi: number, dtype: 'int32' | 'int64' = 'int64'): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, () => Math.floor(this.gen.uniform() * hi));
    return new Tensor({ shape, dtype, buffer: dtype === 'int64' ? BigInt64Array.from(vals, BigInt) : Int32Array.from(vals) });
  }
}

export function data(values: number[], shape: number[], dtype: DType = 'float32'): Tensor {
  const buffer = dtype === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : dtype === 'bool' ? Uint8Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor({ shape, dtype, buffer });
}

/** A copy of a data tensor, as a leaf (requiring grad when asked). */
export function fresh(t: Tensor, requiresGrad: boolean): Tensor {
  return new Tensor({ shape: t.shape, dtype: t.dtype, buffer: (t.dataSync() as Float32Array).slice(), requiresGrad });
}
