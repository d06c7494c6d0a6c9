import { allocate, Generator, Tensor } from '@retrievals/core-tensor';
import type { LossInputs } from '../../src/index.js';

/** Seeded normal data. */
export function randn(shape: readonly number[], seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const gen = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = allocate(dtype, n);
  for (let i = 0; i < n; i++) buf[i] = gen.normal();
  return new Tensor({ shape, dtype, buffer: buf });
}

export function ints(values: readonly number[]): Tensor {
  return new Tensor({ shape: [values.length], dtype: 'int64', buffer: BigInt64Array.from(values.map(BigInt)) });
}

export function floats(values: readonly number[], shape: readonly number[] = [values.length], dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const buf = allocate(dtype, values.length);
  values.forEach((v, i) => (buf[i] = v));
  return new Tensor({ shape, dtype, buffer: buf });
}

export const D = 8;

/**
 * Inputs every built-in accepts, for a batch of B queries with G − 1 negatives each, plus the
 * options that make each loss run (arcface's sizes, matryoshka's inner loss).
 */
export function inputsFor(loss: string, B: number, G: number, seed = 1): { options: Record<string, unknown>; inputs: LossInputs } {
  const qpn = (tokens?: number): LossInputs => {
    const shape = (rows: number) => (tokens ? [rows, tokens, D] : [rows, D]);
    return {
      query: randn(shape(B), seed),
      positive: randn(shape(B), seed + 1),
      ...(G > 1 ? { negative: randn(shape(B * (G - 1)), seed + 2) } : {}),
    };
  };
  const grades = floats(Array.from({ length: B * G }, (_, i) => (i * 7) % 4), [B, G]);
  switch (loss) {
    case 'cosent':
    case 'angle':
      return { options: {}, inputs: { query: randn([B, D], seed), positive: randn([B, D], seed + 1), labels: floats(Array.from({ length: B }, (_, i) => i % 3)) } };
    case 'arcface':
      return { options: { inFeatures: D, outFeatures: 3 }, inputs: { embeddings: randn([B, D], seed), labels: ints(Array.from({ length: B }, (_, i) => i % 3)) } };
    case 'matryoshka':
      return { options: { loss: 'infonce', dims: [8, 4] }, inputs: qpn() };
    case 'kl-distill':
      return { options: {}, inputs: { ...qpn(), teacherScores: randn([B, G], seed + 3) } };
    case 'margin-mse':
      return { options: {}, inputs: { ...qpn(), teacherScores: randn([B, G], seed + 3) } };
    case 'listwise':
      return { options: {}, inputs: { ...qpn(), labels: grades } };
    case 'colbert-maxsim':
      return { options: {}, inputs: qpn(3) };
    default:
      return { options: {}, inputs: qpn() };
  }
}
