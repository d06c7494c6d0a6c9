import { describe, expect, it } from 'vitest';
import { RetrievalCollator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import { RetrievalTrainer } from '../src/index.js';
import { load, loggedLosses, tmp, triplets } from './helpers.js';

describe('RetrievalTrainer', () => {
  it('trains bert-tiny on triplets with infonce and lowers the loss', async () => {
    const model = await load();
    const outputDir = tmp('basic');
    const trainer = new RetrievalTrainer({
      model,
      args: { outputDir, maxSteps: 12, perDeviceTrainBatchSize: 4, learningRate: 1e-3, loggingSteps: 1, progress: 'none', seed: 1 },
      trainDataset: triplets(12),
      dataCollator: new RetrievalCollator(model, { maxLengths: [16, 16, 16], trainGroupSize: 2 }),
      loss: losses.create({ name: 'infonce', temperature: 0.05 }),
    });
    const r = await trainer.train();
    const l = [...r.losses.values()];
    if (process.env.TRAINER_REPORT) console.log(l.join(' '), r.graphs);
    expect(r.steps).toBe(12);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(l.slice(-4))).toBeLessThan(mean(l.slice(0, 4)) - 0.2);
    // 12 rows of similar length in batches of 4, every field padded to a bucket: one batch shape;
    // each shape compiles its first step (no optimizer state yet) and its steady step
    expect(r.graphs.shapes).toBe(1);
    expect(r.graphs.compiled).toBeLessThanOrEqual(2 * r.graphs.shapes);
    expect([...loggedLosses(outputDir).values()]).toEqual([...r.losses.values()]);
  }, 60_000);
});
