import type { Tensor } from '@retrievals/core-tensor';
import { LossInputError } from './errors.js';

const fmt = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

/**
 * Symbolic shape checking for one loss call: `dims.expect('positive', p, ['B', 'D'])` binds B and
 * D on first sight and afterwards requires them, so an error says which field fixed a dimension.
 */
export class Dims {
  private readonly bound = new Map<string, { value: number; from: string }>();

  constructor(readonly loss: string) {}

  expect(field: string, t: Tensor, expected: readonly (string | number)[]): void {
    const ok =
      t.rank === expected.length &&
      expected.every((e, i) => {
        const d = t.shape[i]!;
        if (typeof e === 'number') return d === e;
        const b = this.bound.get(e);
        return b === undefined || b.value === d;
      });
    if (!ok) {
      const known = expected.filter((e): e is string => typeof e === 'string' && this.bound.has(e));
      const values = expected.map((e) => (typeof e === 'number' ? e : (this.bound.get(e)?.value ?? '?')));
      const origin = known.length ? ` (${[...new Set(known)].map((e) => `${e} from '${this.bound.get(e)!.from}'`).join(', ')})` : '';
      throw new LossInputError(`${this.loss}: input '${field}' must have shape ${fmt(expected)} = ${fmt(values)}${origin}, got ${fmt(t.shape)}`);
    }
    expected.forEach((e, i) => {
      if (typeof e === 'string' && !this.bound.has(e)) this.bound.set(e, { value: t.shape[i]!, from: field });
    });
  }

  get(name: string): number {
    const b = this.bound.get(name);
    if (!b) throw new Error(`${this.loss}: dimension ${name} was never bound`);
    return b.value;
  }
}

/** Embeddings must be float32 or float64, all of one dtype (the matmuls mix them). */
export function expectFloat(loss: string, field: string, t: Tensor, like?: { field: string; tensor: Tensor }): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new LossInputError(`${loss}: input '${field}' must be float32 or float64, got ${t.dtype}`);
  }
  if (like && like.tensor.dtype !== t.dtype) {
    throw new LossInputError(`${loss}: input '${field}' is ${t.dtype} but '${like.field}' is ${like.tensor.dtype}; give them one dtype`);
  }
}

export function expectInt(loss: string, field: string, t: Tensor): void {
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw new LossInputError(`${loss}: input '${field}' must be int32 or int64 class ids, got ${t.dtype}`);
}

export function requireField<T>(loss: string, field: string, value: T | undefined, hint: string): T {
  if (value === undefined) throw new LossInputError(`${loss}: input '${field}' is required (${hint})`);
  return value;
}
