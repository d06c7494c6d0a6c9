/**
 * At inference a gelu reading a linear's output is the matmul primitive's post-op (lower.ts
 * geluOf); with gradients the pre-activation stays a value for gelu's backward. Both paths give
 * the js backend's values, K = 0 (the primitive-less loop) included.
 */
import { backward, gelu, Generator, linear, randn, realize, sum, zeros, type Tensor } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/plan/lower.js';
import { capturing } from './helpers/capture.js';
import { describeOnednn, install } from './helpers/setup.js';

async function on(name: string, fn: () => Tensor[]): Promise<{ values: Float32Array[]; ops: string[] }> {
  const { out, programs } = await capturing(name, async () => {
    const ts = fn();
    await realize(...ts);
    return ts.map((t) => t.dataSync() as Float32Array);
  });
  return { values: out, ops: programs.flatMap((p) => lowerProgram(p).instrs.map((i) => i.op)) };
}

// tanh: the op-agreement suite's bound for oneDNN's gelu_tanh (its tanh is an approximation), as primitive or post-op
const close = (a: Float32Array, b: Float32Array, approximate = 'none') => {
  const [atol, rtol] = approximate === 'tanh' ? [1e-5, 1e-3] : [1e-6, 1e-5];
  a.forEach((v, i) => expect(Math.abs(v - b[i]!), `[${i}] ${v} vs ${b[i]}`).toBeLessThanOrEqual(atol + rtol * Math.abs(b[i]!)));
};

describeOnednn('gelu as a matmul post-op', () => {
  for (const approximate of ['none', 'tanh'] as const) {
    for (const K of [24, 0]) {
      it(`gelu(${approximate}) of x·Wᵀ + b, K = ${K}: fused without gradients, kept apart with them`, async () => {
        await install();
        const gen = new Generator(3);
        const x = K ? randn([2, 5, K], gen).mul(2) : zeros([2, 5, 0]), w = K ? randn([7, K], gen) : zeros([7, 0]), b = randn([7], gen);
        const inference = () => [gelu(linear(x, w, b), approximate)];
        const ours = await on('onednn', inference), ref = await on('js', inference);
        expect(ours.ops).toContain('matmul+bias+gelu');
        close(ours.values[0]!, ref.values[0]!, approximate);
        const training = () => {
          const wg = w.detach().requiresGrad_(true);
          backward(sum(gelu(linear(x, wg, b), approximate)));
          return [wg.grad!];
        };
        const t = await on('onednn', training), tr = await on('js', training);
        expect(t.ops).not.toContain('matmul+bias+gelu');
        close(t.values[0]!, tr.values[0]!, approximate);
      });
    }
  }
});
