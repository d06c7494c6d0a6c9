import { allocate, Generator, numel, Tensor, type DType, type Shape, type TypedArray } from '../../src/index.js';

type FloatDType = 'float32' | 'float64';
type IntDType = 'int32' | 'int64';

function make(shape: Shape, dtype: DType, value: (i: number) => number): Tensor {
  const n = numel(shape);
  const buf = allocate(dtype, n);
  if (dtype === 'int64') for (let i = 0; i < n; i++) (buf as BigInt64Array)[i] = BigInt(value(i));
  else for (let i = 0; i < n; i++) buf[i] = value(i);
  return new Tensor({ shape, dtype, buffer: buf });
}

/**
 * Seeded random data tensors (drawn from the package's Generator), so every test sees the same
 * numbers on every run and on both backends.
 */
export class Rand {
  readonly gen: Generator;

  constructor(seed: number) {
    this.gen = new Generator(seed);
  }

  /** Normal values, mean + std·N(0, 1). */
  normal(shape: Shape, opts: { std?: number; mean?: number; dtype?: FloatDType } = {}): Tensor {
    const { std = 1, mean = 0, dtype = 'float32' } = opts;
    return make(shape, dtype, () => mean + std * this.gen.normal());
  }

  /** Uniform values in [low, high). */
  uniform(shape: Shape, low = 0, high = 1, dtype: FloatDType = 'float32'): Tensor {
    return make(shape, dtype, () => low + (high - low) * this.gen.uniform());
  }

  /** Magnitudes in [low, high) with a random sign: safe denominators, away from kinks at 0. */
  nonzero(shape: Shape, low = 0.5, high = 2, dtype: FloatDType = 'float32'): Tensor {
    return make(shape, dtype, () => (this.gen.uniform() < 0.5 ? -1 : 1) * (low + (high - low) * this.gen.uniform()));
  }

  /**
   * Pairwise distinct values at least `gap`/2 apart (a shuffled grid plus small noise): no ties for
   * max/min/argmax/topk, and a finite-difference step cannot change which element wins.
   */
  distinct(shape: Shape, opts: { gap?: number; dtype?: FloatDType } = {}): Tensor {
    const { gap = 0.25, dtype = 'float32' } = opts;
    const n = numel(shape);
    const order = this.gen.shuffle(Array.from({ length: n }, (_, i) => i));
    return make(shape, dtype, (i) => (order[i]! - n / 2) * gap + (this.gen.uniform() - 0.5) * gap * 0.4);
  }

  /** Integers in [low, high). */
  ints(shape: Shape, low: number, high: number, dtype: IntDType = 'int64'): Tensor {
    return make(shape, dtype, () => low + Math.floor((high - low) * this.gen.uniform()));
  }

  /** Integer-valued floats in [low, high): equal values are likely (for compare ops). */
  intFloats(shape: Shape, low: number, high: number, dtype: FloatDType = 'float32'): Tensor {
    return make(shape, dtype, () => low + Math.floor((high - low) * this.gen.uniform()));
  }

  /** Bool tensor, true with probability p. */
  bools(shape: Shape, p = 0.5): Tensor {
    return make(shape, 'bool', () => (this.gen.uniform() < p ? 1 : 0));
  }
}

/** A data tensor from plain numbers (int64 converted), with an explicit dtype. */
export function data(values: readonly number[], shape: Shape, dtype: DType = 'float32'): Tensor {
  if (values.length !== numel(shape)) throw new Error(`data: ${values.length} values for shape [${shape}]`);
  return make(shape, dtype, (i) => values[i]!);
}

/** A fresh leaf with a copy of t's values (so graphs built from it never share nodes or grads). */
export function fresh(t: Tensor, requiresGrad = false): Tensor {
  if (!t.buffer) throw new Error(`fresh: ${t.toString()} has no data`);
  return new Tensor({ shape: t.shape, dtype: t.dtype, buffer: t.buffer.slice() as TypedArray, requiresGrad });
}

/** The same values in another float dtype (float32 data → float64 for gradient checks). */
export function asDType(t: Tensor, dtype: FloatDType): Tensor {
  const src = t.buffer!;
  return make(t.shape, dtype, (i) => Number(src[i]!));
}
