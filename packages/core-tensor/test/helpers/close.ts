import { bfloat16ToFloat, halfToFloat, type DType, type TypedArray } from '../../src/index.js';

export interface CloseOptions {
  rtol?: number;
  atol?: number;
}

export interface CloseReport {
  ok: boolean;
  /** The element that exceeds its tolerance the most (or is closest to doing so). */
  worst: { index: number; at: number[]; actual: number; expected: number; error: number; allowed: number } | undefined;
  message: string;
}

/** Values of any dtype as plain numbers (int64 → number, float16/bfloat16 decoded). */
export function toNumbers(buf: TypedArray, dtype: DType): number[] {
  if (dtype === 'float16') return Array.from(buf as Uint16Array, halfToFloat);
  if (dtype === 'bfloat16') return Array.from(buf as Uint16Array, bfloat16ToFloat);
  return Array.from(buf, Number);
}

function coords(index: number, shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= Math.max(1, shape[d]!);
  }
  return strides.map((s, d) => Math.floor(index / s) % Math.max(1, shape[d]!));
}

/**
 * |actual − expected| ≤ atol + rtol·|expected| element by element (NaN matches NaN, ±Infinity
 * must match exactly); the report names the worst element with its coordinates.
 */
export function allClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: CloseOptions & { shape?: readonly number[] } = {},
): CloseReport {
  const { rtol = 1e-5, atol = 1e-6 } = options;
  const shape = options.shape ?? [expected.length];
  if (actual.length !== expected.length) {
    return { ok: false, worst: undefined, message: `length ${actual.length} differs from expected ${expected.length}` };
  }
  let worst: CloseReport['worst'];
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    let error: number, allowed: number;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      error = Number.isNaN(a) && Number.isNaN(e) ? 0 : Infinity;
      allowed = 0;
    } else if (!Number.isFinite(a) || !Number.isFinite(e)) {
      error = a === e ? 0 : Infinity;
      allowed = 0;
    } else {
      error = Math.abs(a - e);
      allowed = atol + rtol * Math.abs(e);
    }
    const excess = error - allowed;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = { index: i, at: coords(i, shape), actual: a, expected: e, error, allowed };
    }
  }
  const ok = worstExcess <= 0;
  const message = worst
    ? `${ok ? 'close' : 'NOT close'} (rtol ${rtol}, atol ${atol}); worst element [${worst.at}] (flat ${worst.index}): ` +
      `${worst.actual} vs expected ${worst.expected}, error ${worst.error.toExponential(3)} > allowed ${worst.allowed.toExponential(3)}`
    : 'close (no elements)';
  return { ok, worst, message: ok ? message.replace(' > allowed', ' ≤ allowed') : message };
}
