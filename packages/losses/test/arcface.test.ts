/**
 * ArcFace owns trainable class centres: `parameters()` hands them to the optimizer, one step is one
 * run for the loss, its gradient and the update, and the per-call margin changes only that call.
 */
import { describe, expect, it } from 'vitest';
import { AdamW, backward } from '@retrievals/core-tensor';
import { arcface, validateLoss } from '../src/index.js';
import { D, ints, randn } from './helpers/data.js';

describe('arcface', () => {
  it('trains its class centres through parameters()', async () => {
    const loss = arcface({ inFeatures: D, outFeatures: 4, seed: 7 });
    const [weight] = loss.parameters();
    expect(weight!.shape).toEqual([4, D]);
    expect(weight!.requiresGrad).toBe(true);
    const start = Float32Array.from(weight!.dataSync() as Float32Array);
    // Xavier-uniform: |w| ≤ sqrt(6 / (D + C)).
    expect(Math.max(...start.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (D + 4)));

    const x = randn([12, D], 3), labels = ints([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    const opt = new AdamW(loss.parameters(), { lr: 0.05 });
    const values: number[] = [];
    for (let step = 0; step < 15; step++) {
      const l = loss({ embeddings: x, labels });
      backward(l);
      await opt.step(l);
      values.push(await validateLoss(l));
    }
    expect(values.at(-1)!).toBeLessThan(values[0]! * 0.8);
    expect(Array.from(weight!.dataSync() as Float32Array)).not.toEqual(Array.from(start));
  });

  it('the per-call margin applies to that call only', async () => {
    const loss = arcface({ inFeatures: D, outFeatures: 3, seed: 1 });
    const inputs = { embeddings: randn([6, D], 2), labels: ints([0, 1, 2, 0, 1, 2]) };
    const base = await validateLoss(loss(inputs));
    const none = await validateLoss(loss({ ...inputs, margin: 0 }));
    const again = await validateLoss(loss(inputs));
    // A wider margin makes the true class harder: the loss grows with it.
    expect(none).toBeLessThan(base);
    expect(again).toBe(base);
  });

  it('the same seed gives the same centres', () => {
    const centres = (seed: number) => Array.from(arcface({ inFeatures: D, outFeatures: 3, seed }).parameters()[0]!.dataSync() as Float32Array);
    const a = centres(4), b = centres(4), c = centres(5);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
