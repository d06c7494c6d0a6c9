/**
 * AdamW's update runs as one loop (plan/adamw.ts, native/adamw.cc) with the program's ops in their
 * order, one rounding each: three steps on onednn give the js backend's parameters bit for bit,
 * for a weight used once and for one used twice (its gradient the sum of two, summed in the loop).
 */
import { AdamW, backward, Generator, matmul, randn, realize, sum, Tensor } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/plan/lower.js';
import { capturing } from './helpers/capture.js';
import { describeOnednn, install } from './helpers/setup.js';

// gradients every backend computes alike: matmuls of small integers (sums exact in any order) and
// one float add, so the parameters can differ only by the update's arithmetic
async function train(backend: string) {
  const gen = new Generator(4);
  const leaf = (shape: number[]) => new Tensor({ shape, dtype: 'float32', buffer: randn(shape, gen).dataSync() as Float32Array }).requiresGrad_(true);
  const ints = (shape: number[]) => new Tensor({ shape, dtype: 'float32', buffer: Float32Array.from({ length: shape[0]! * shape[1]! }, () => Math.round(gen.uniform() * 6 - 3)) });
  const w = leaf([40, 24]), u = leaf([24, 5]);
  const x1 = ints([7, 40]), x2 = ints([7, 40]), x3 = ints([7, 24]);
  const opt = new AdamW([w, u], { lr: 1e-2, weightDecay: 0.1 });
  return capturing(backend, async () => {
    for (let s = 0; s < 3; s++) {
      // w twice (its gradient an add of two), u once
      const loss = sum(matmul(x1, w)).add(sum(matmul(x2, w))).add(sum(matmul(x3, u)));
      backward(loss);
      await opt.step(loss);
    }
    await realize(w, u);
    return [w.dataSync() as Float32Array, u.dataSync() as Float32Array];
  });
}

describeOnednn('AdamW as one loop', () => {
  it('three steps give the js backend parameters bit for bit, a weight used twice included', async () => {
    await install();
    const ours = await train('onednn'), ref = await train('js');
    const ops = lowerProgram(ours.programs[ours.programs.length - 1]!).instrs.map((i) => i.op);
    expect(ops.filter((o) => o === 'adamw')).toHaveLength(2);
    ours.out.forEach((a, k) => expect(Array.from(a)).toEqual(Array.from(ref.out[k]!)));
  });
});
