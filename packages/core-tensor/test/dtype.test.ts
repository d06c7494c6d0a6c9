import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat, castArray, floatToBfloat16, floatToHalf, halfToFloat } from '../src/index.js';

describe('storage dtypes', () => {
  it('converts float16 exactly for representable values, with round-to-nearest-even', () => {
    for (const [x, h] of [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -24, 0x0001], [0.5, 0x3800], [Infinity, 0x7c00]] as const) {
      expect(floatToHalf(x)).toBe(h);
      expect(halfToFloat(h)).toBe(x);
    }
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    expect(floatToHalf(1e6)).toBe(0x7c00);
  });
  it('converts bfloat16 with round-to-nearest-even', () => {
    expect(floatToBfloat16(1)).toBe(0x3f80);
    expect(bfloat16ToFloat(0x3f80)).toBe(1);
    expect(bfloat16ToFloat(floatToBfloat16(3.14159))).toBeCloseTo(3.140625, 6);
  });
  it('casts arrays between dtypes', () => {
    const half = castArray(Float32Array.from([1, 0.5, -3]), 'float32', 'float16');
    expect(Array.from(castArray(half, 'float16', 'float32') as Float32Array)).toEqual([1, 0.5, -3]);
    expect(Array.from(castArray(BigInt64Array.from([3n, -4n]), 'int64', 'int32') as Int32Array)).toEqual([3, -4]);
    expect(Array.from(castArray(Float32Array.from([0, 2]), 'float32', 'bool') as Uint8Array)).toEqual([0, 1]);
  });
});
