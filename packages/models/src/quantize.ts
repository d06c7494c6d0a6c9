import { RetrievalsError } from '@retrievals/core-tensor';
import { EmbeddingMatrix, PRECISIONS, type Precision } from './embeddings.js';

/** Per-dimension [min, max] rows for int8/uint8 scaling (sentence-transformers' `ranges`). */
export interface QuantizationRanges {
  min: Float32Array;
  max: Float32Array;
}

export interface QuantizeOptions {
  /** Fixed ranges; default: computed from `calibration` or, failing that, from the embeddings themselves. */
  ranges?: QuantizationRanges;
  calibration?: EmbeddingMatrix<Float32Array>;
}

/** Column-wise min and max of a float matrix. */
export function computeRanges(m: EmbeddingMatrix<Float32Array>): QuantizationRanges {
  const min = new Float32Array(m.cols).fill(Infinity), max = new Float32Array(m.cols).fill(-Infinity);
  for (const row of m) {
    for (let j = 0; j < row.length; j++) {
      if (row[j]! < min[j]!) min[j] = row[j]!;
      if (row[j]! > max[j]!) max[j] = row[j]!;
    }
  }
  return { min, max };
}

/**
 * sentence-transformers' `quantize_embeddings`:
 * - `int8` / `uint8`: each dimension scaled from its [min, max] to 256 steps, in float32, then
 *   truncated toward zero like numpy's astype (int8 is the uint8 value − 128). A dimension whose min
 *   equals its max maps to the bottom step (numpy would produce NaN there).
 * - `binary` / `ubinary`: one bit per dimension (value > 0), packed 8 per byte with the first
 *   dimension in the most significant bit (np.packbits); `binary` stores byte − 128 as int8. Each
 *   row is packed on its own (zero-padded to a multiple of 8), which equals sentence-transformers
 *   whenever the dimension is a multiple of 8 (it packs the flattened matrix).
 */
export function quantizeEmbeddings(m: EmbeddingMatrix<Float32Array>, precision: Precision, options: QuantizeOptions = {}): EmbeddingMatrix {
  if (!PRECISIONS.includes(precision)) throw new RetrievalsError(`precision '${String(precision)}' is not one of ${PRECISIONS.join(', ')}`);
  if (precision === 'float32') return m;
  const [n, d] = m.dims;
  if (precision === 'binary' || precision === 'ubinary') {
    const bytes = Math.ceil(d / 8);
    const out = precision === 'binary' ? new Int8Array(n * bytes) : new Uint8Array(n * bytes);
    for (let i = 0; i < n; i++) {
      const row = m.row(i);
      for (let b = 0; b < bytes; b++) {
        let v = 0;
        for (let k = 0; k < 8; k++) v = (v << 1) | (b * 8 + k < d && row[b * 8 + k]! > 0 ? 1 : 0);
        out[i * bytes + b] = precision === 'binary' ? v - 128 : v;
      }
    }
    return new EmbeddingMatrix(out, [n, bytes], precision);
  }
  const ranges = options.ranges ?? computeRanges(options.calibration ?? m);
  if (ranges.min.length !== d || ranges.max.length !== d) throw new RetrievalsError(`quantize: ranges have ${ranges.min.length} dims, embeddings ${d}`);
  const f = Math.fround;
  const steps = Float32Array.from(ranges.min, (lo, j) => f(f(ranges.max[j]! - lo) / 255));
  const out = precision === 'int8' ? new Int8Array(n * d) : new Uint8Array(n * d);
  const [lo, hi] = precision === 'int8' ? [-128, 127] : [0, 255];
  for (let i = 0; i < n * d; i++) {
    const j = i % d;
    const scaled = steps[j] === 0 ? 0 : f(f(m.data[i]! - ranges.min[j]!) / steps[j]!);
    const v = Math.trunc(precision === 'int8' ? f(scaled - 128) : scaled);
    out[i] = Math.min(hi, Math.max(lo, v));
  }
  return new EmbeddingMatrix(out, [n, d], precision);
}
