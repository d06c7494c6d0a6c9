import { EmbeddingMatrix, quantizeEmbeddings } from '@retrievals/models';
import type { RowStore } from './rows.js';

// The flat index's int8 and sign-bit codecs (flat-index.ts).

/** Runs fn over a store's rows in blocks of 16,384. */
export function forBlocks(store: RowStore<Float32Array>, n: number, fn: (block: Float32Array, m: number) => void): void {
  for (let r0 = 0; r0 < n; r0 += 16384) {
    const r1 = Math.min(n, r0 + 16384);
    fn(store.block(r0, r1), r1 - r0);
  }
}

/** Per-dimension int8 scales of a whole store (the largest of its blocks'). */
export function scalesOfStore(store: RowStore<Float32Array>, n: number, d: number): Float32Array {
  const max = new Float32Array(d);
  forBlocks(store, n, (block, m) => {
    const s = dimensionScales(block, m, d);
    for (let j = 0; j < d; j++) max[j] = Math.max(max[j]!, s[j]!);
  });
  return max;
}

/** Per-dimension symmetric scale: the largest |value| of each dimension maps to 127. */
export function dimensionScales(v: Float32Array, n: number, d: number): Float32Array {
  const s = new Float32Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) s[j] = Math.max(s[j]!, Math.abs(v[r * d + j]!));
  for (let j = 0; j < d; j++) s[j] = s[j]! > 0 ? s[j]! / 127 : 1;
  return s;
}

/**
 * Symmetric int8: with `dimScale` (corpus side), each dimension divided by its scale (values
 * beyond the calibrated range clipped); without, each row's max |value| maps to 127 and the row's
 * scale is returned. For queries, `queryDims` multiplies each dimension by the corpus's scale first
 * (so q·c ≈ (q ⊙ s) · c_int), then the row is quantised on its own.
 */
export function quantizeInt8(v: Float32Array, n: number, d: number, dimScale?: Float32Array, queryDims?: Float32Array): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(n * d), scale = new Float32Array(n);
  const tmp = new Float32Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    if (dimScale) {
      for (let j = 0; j < d; j++) q[o + j] = Math.max(-127, Math.min(127, Math.round(v[o + j]! / dimScale[j]!)));
      scale[r] = 1;
      continue;
    }
    let m = 0;
    for (let j = 0; j < d; j++) {
      tmp[j] = queryDims ? v[o + j]! * queryDims[j]! : v[o + j]!;
      m = Math.max(m, Math.abs(tmp[j]!));
    }
    const s = m > 0 ? m / 127 : 1;
    scale[r] = s;
    for (let j = 0; j < d; j++) q[o + j] = Math.max(-127, Math.min(127, Math.round(tmp[j]! / s)));
  }
  return { q, scale };
}

/** Sign bits (value > 0), packed as sentence-transformers' `ubinary` (np.packbits). */
export function packSigns(v: Float32Array, n: number, d: number): Uint8Array {
  return quantizeEmbeddings(new EmbeddingMatrix(v, [n, d]), 'ubinary').data as Uint8Array;
}

/** Packed sign bits → ±1 per dimension. */
export function unpackSigns(bits: Uint8Array, n: number, d: number): Int8Array {
  const bytes = Math.ceil(d / 8), out = new Int8Array(n * d);
  for (let r = 0; r < n; r++) {
    const bo = r * bytes, o = r * d;
    for (let j = 0; j < d; j++) out[o + j] = (bits[bo + (j >> 3)]! >> (7 - (j & 7))) & 1 ? 1 : -1;
  }
  return out;
}

/** ±1 per query dimension (value > 0 → +1), the query side of the sign-bit scan. */
export function signsOf(v: Float32Array): Int8Array {
  return Int8Array.from(v, (x) => (x > 0 ? 1 : -1));
}

