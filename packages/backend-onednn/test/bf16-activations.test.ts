/**
 * bf16 activations in training plans (plan/bf16-storage.ts): a linear's output read by gelu and by
 * a fused group is stored as bf16, and gelu and the group compute in fp32 from it and round once.
 * The values are checked against a plain-loop reference that rounds where the plan stores bf16;
 * a kernel reading bf16 bits as float32 (or the reverse) would be off by orders of magnitude.
 */
import { backward, gelu, Generator, matmul, mul, randn, realize, sum, type Tensor } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/plan/lower.js';
import { capturing } from './helpers/capture.js';
import { describeOnednn, install } from './helpers/setup.js';

const bf16 = (x: number) => {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  u[0] = ((u[0]! + 0x7fff + ((u[0]! >> 16) & 1)) >>> 16) << 16;
  return f[0]!;
};
// Math has no erf: Simpson's rule for 2/√π ∫₀ˣ exp(−t²) dt on 200 panels, far inside bf16's error
const erf = (x: number) => {
  const n = 200, h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
};
const geluRef = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function mm(a: Float32Array, b: Float32Array, M: number, K: number, N: number, round: (x: number) => number) {
  const o = new Float32Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let p = 0; p < K; p++) s += round(a[i * K + p]!) * round(b[p * N + j]!);
    o[i * N + j] = s;
  }
  return o;
}

describeOnednn('bf16 activations', () => {
  it('gelu(u)·w2 + (u·u)·w3 with u = x·w1 in bf16: the plan stores u, gelu(u) and u·u as bf16 and matches the rounded reference', async () => {
    await install();
    const gen = new Generator(11);
    const [M, K, H, N] = [16, 24, 40, 8];
    const x = randn([M, K], gen), w1 = randn([K, H], gen), w2 = randn([H, N], gen), w3 = randn([H, N], gen);
    // the gradient keeps u a value (without it gelu would be w1's post-op)
    const w1g = w1.requiresGrad_(true);
    const { out, programs } = await capturing('onednn-bf16', async () => {
      const u = matmul(x, w1g);
      const y = matmul(gelu(u), w2).add(matmul(mul(u, u), w3));
      backward(sum(y));
      await realize(y, w1g.grad!);
      return y.dataSync() as Float32Array;
    });
    const lowered = lowerProgram(programs[programs.length - 1]!, { bf16: true });
    expect(lowered.fused.bf16Values).toBeGreaterThanOrEqual(3);
    const [xs, w1s, w2s, w3s] = [x, w1, w2, w3].map((t: Tensor) => t.dataSync() as Float32Array);
    const u = mm(xs!, w1s!, M, K, H, bf16).map(bf16);
    const ref = mm(u.map((v) => bf16(geluRef(v))), w2s!, M, H, N, bf16);
    const sq = mm(u.map((v) => bf16(v * v)), w3s!, M, H, N, bf16);
    const scale = Math.max(...ref.map((v, i) => Math.abs(v + sq[i]!)));
    // left: accumulation order (and the rare bf16 rounding it flips), far below a misread dtype
    out.forEach((v, i) => expect(Math.abs(v - (ref[i]! + sq[i]!)), `[${i}]`).toBeLessThanOrEqual(2e-3 * scale));
  });
});
