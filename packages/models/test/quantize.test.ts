import { describe, expect, it } from 'vitest';
import { computeRanges, EmbeddingMatrix, quantizeEmbeddings } from '../src/index.js';

// Expected values from sentence-transformers' quantize_embeddings code run with numpy 1.24.
const E = new EmbeddingMatrix(
  Float32Array.from([
    0.1, -0.5, 0.3, 0.9, -0.2, 0.0, 0.7, -0.8,
    0.4, 0.2, -0.6, -0.1, 0.5, 0.25, -0.3, 0.6,
    -0.3, 0.0, 0.1, 0.2, 0.0, -0.7, 0.05, 0.3,
  ]),
  [3, 8],
);

describe('quantizeEmbeddings (sentence-transformers semantics)', () => {
  it('uint8 / int8 with ranges from the embeddings themselves (float32 steps, truncation toward zero)', () => {
    const u = quantizeEmbeddings(E, 'uint8');
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(u.toArray()).toEqual([[145, 0, 255, 254, 0, 187, 254, 0], [255, 255, 0, 0, 255, 255, 0, 255], [0, 182, 198, 76, 72, 0, 89, 200]]);
    const i = quantizeEmbeddings(E, 'int8');
    expect(i.data).toBeInstanceOf(Int8Array);
    expect(i.toArray()).toEqual([[17, -128, 127, 126, -128, 59, 126, -128], [127, 127, -128, -128, 127, 127, -128, 127], [-128, 54, 70, -51, -55, -128, -38, 72]]);
  });

  it('binary / ubinary pack one bit per dimension, first dimension in the high bit', () => {
    expect(quantizeEmbeddings(E, 'ubinary').toArray()).toEqual([[178], [205], [51]]);
    const b = quantizeEmbeddings(E, 'binary');
    expect(b.data).toBeInstanceOf(Int8Array);
    expect(b.toArray()).toEqual([[50], [77], [-77]]);
    // 9 dims: a second, zero-padded byte per row
    const nine = new EmbeddingMatrix(Float32Array.from([1, -1, 2, 0, 0.5, -3, 0, 4, 1]), [1, 9]);
    expect(quantizeEmbeddings(nine, 'ubinary').toArray()).toEqual([[0b10101001, 0b10000000]]);
  });

  it('takes fixed ranges (calibration) and maps a constant dimension to the bottom step', () => {
    const ranges = computeRanges(E);
    expect(quantizeEmbeddings(new EmbeddingMatrix(E.row(0).slice(), [1, 8]), 'uint8', { ranges }).toArray()).toEqual([[145, 0, 255, 254, 0, 187, 254, 0]]);
    const flat = new EmbeddingMatrix(Float32Array.from([0.5, 1, 0.5, 2]), [2, 2]);
    // (2 − 1) / float32(1/255) = 254.99998 → 254 − 128, exactly as numpy
    expect(quantizeEmbeddings(flat, 'int8').toArray()).toEqual([[-128, -128], [-128, 126]]);
    expect(() => quantizeEmbeddings(E, 'int4' as never)).toThrow(/precision 'int4' is not one of float32, int8, uint8, binary, ubinary/);
  });

  it('EmbeddingMatrix gives row views and checks its dims', () => {
    expect(E.dims).toEqual([3, 8]);
    expect(E.row(1)[0]).toBeCloseTo(0.4);
    expect(E.row(1).buffer).toBe(E.data.buffer);
    expect([...E].length).toBe(3);
    expect(() => E.row(3)).toThrow(/3 is out of range for 3 rows/);
    expect(() => new EmbeddingMatrix(new Float32Array(5), [2, 3])).toThrow(/5 values do not fill \[2, 3\]/);
  });
});
