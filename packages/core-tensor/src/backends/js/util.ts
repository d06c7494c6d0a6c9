import { allocate, type DType, type TypedArray } from '../../dtype.js';
import { numel, stridesOf } from '../../shape.js';

/** int64 values as plain numbers, so kernels can use one arithmetic path. */
export function nums(a: TypedArray): ArrayLike<number> & { [i: number]: number } {
  return (a instanceof BigInt64Array ? Float64Array.from(a, Number) : a) as Float64Array;
}

export function out(dtype: DType, n: number): { [i: number]: number; length: number } {
  return (dtype === 'int64' ? new Float64Array(n) : allocate(dtype, n)) as Float64Array;
}

/** Converts a number-filled buffer to its dtype's array (int64 kept as numbers until here). */
export function finish(buf: { [i: number]: number; length: number }, dtype: DType): TypedArray {
  if (dtype === 'int64') return BigInt64Array.from(buf as Float64Array, (v) => BigInt(v));
  return buf as unknown as TypedArray;
}

/** For each element of `outShape`, the offset of the element of `inShape` it broadcasts from. */
export function broadcastOffsets(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const n = numel(outShape);
  const offs = new Int32Array(n);
  const rank = outShape.length;
  const lead = rank - inShape.length;
  const inStrides = stridesOf(inShape);
  const strides = outShape.map((_, i) => (i < lead || inShape[i - lead] === 1 ? 0 : inStrides[i - lead]!));
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    offs[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < outShape[d]!) break;
      off -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/** Offsets into a tensor of `shape` read in the order of the permuted shape. */
export function permuteOffsets(shape: readonly number[], perm: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const outStrides = perm.map((p) => strides[p]!);
  return walk(outShape, outStrides, 0);
}

/** Offsets visited by iterating `shape` row-major with the given strides from a base offset. */
export function walk(shape: readonly number[], strides: readonly number[], base: number): Int32Array {
  const n = numel(shape);
  const offs = new Int32Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    offs[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/** Iterates each reduced group: calls visit(outIndex, inputOffsets) for every output element. */
export function groups(shape: readonly number[], axes: readonly number[], visit: (o: number, offs: Int32Array) => void): void {
  const strides = stridesOf(shape);
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = strides.map((s, i) => (axes.includes(i) ? 0 : s));
  const bases = walk(keptShape, keptStrides, 0);
  const inner = walk(
    axes.map((a) => shape[a]!),
    axes.map((a) => strides[a]!),
    0,
  );
  const offs = new Int32Array(inner.length);
  for (let o = 0; o < bases.length; o++) {
    for (let j = 0; j < inner.length; j++) offs[j] = bases[o]! + inner[j]!;
    visit(o, offs);
  }
}

/** erf to double precision: 2/√π·e^(−x²)·Σ (2x²)ⁿ·x/(2n+1)!! has only positive terms (no cancellation). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax, sum = ax;
  const x2 = 2 * ax * ax;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum);
}
