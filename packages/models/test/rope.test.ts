import { describe, expect, it } from 'vitest';
import { gradCheck, Tensor, tensor } from '@retrievals/core-tensor';
import { applyRotary } from '../src/architectures/rope.js';

/** cos/sin tables [rows, 1, T, d] for the given positions, halves duplicated (transformers' rotate_half layout). */
function tables(positions: number[][], d: number, theta: number, dtype: 'float32' | 'float64' = 'float32') {
  const rows = positions.length, t = positions[0]!.length;
  const cos: number[] = [], sin: number[] = [];
  for (const row of positions) for (const p of row) for (let j = 0; j < d; j++) {
    const angle = p * theta ** (-(2 * (j % (d / 2))) / d);
    cos.push(Math.cos(angle));
    sin.push(Math.sin(angle));
  }
  return { cos: tensor(cos, [rows, 1, t, d], dtype), sin: tensor(sin, [rows, 1, t, d], dtype) };
}

describe('applyRotary', () => {
  it('rotates each (x_j, x_{j+d/2}) pair by pos·θ^(−2j/d), per row (left padding) or with shared tables', async () => {
    const d = 4, positions = [[0, 1, 2], [0, 0, 5]];
    const x = Array.from({ length: 2 * 1 * 3 * d }, (_, i) => Math.sin(i + 1));
    const { cos, sin } = tables(positions, d, 100);
    const y = await applyRotary(tensor(x, [2, 1, 3, d]), cos, sin).toArray();
    positions.flat().forEach((p, r) => {
      for (let j = 0; j < d / 2; j++) {
        const a = p * 100 ** (-(2 * j) / d), x1 = x[r * d + j]!, x2 = x[r * d + j + d / 2]!;
        expect(y[r * d + j]).toBeCloseTo(x1 * Math.cos(a) - x2 * Math.sin(a), 5);
        expect(y[r * d + j + d / 2]).toBeCloseTo(x2 * Math.cos(a) + x1 * Math.sin(a), 5);
      }
    });
    const shared = tables([[3, 4, 5]], d, 100);
    expect((await applyRotary(tensor(x, [2, 1, 3, d]), shared.cos, shared.sin).toArray()).length).toBe(x.length);
  });

  it('passes a finite-difference gradient check', async () => {
    const { cos, sin } = tables([[0, 1, 2], [3, 5, 8]], 4, 10000, 'float64');
    const x = tensor(Array.from({ length: 2 * 2 * 3 * 4 }, (_, i) => Math.cos(i * 0.7)), [2, 2, 3, 4], 'float64');
    const report = await gradCheck((v) => applyRotary(v!, cos, sin), [x]);
    expect(report.ok, report.message).toBe(true);
    expect(report.checked).toBe(48);
  });

  it('names the shapes it cannot use', () => {
    const z = (shape: number[]) => new Tensor({ shape, dtype: 'float32', buffer: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(() => applyRotary(z([1, 2, 3, 8]), z([1, 1, 4, 8]), z([1, 1, 4, 8]))).toThrow(/applyRotary: shapes \[1, 2, 3, 8\] and \[1, 1, 4, 8\]/);
    expect(() => applyRotary(z([1, 1, 2, 5]), z([1, 1, 2, 5]), z([1, 1, 2, 5]))).toThrow(/applyRotary: head dim of \[1, 1, 2, 5\] must be even/);
  });
});
