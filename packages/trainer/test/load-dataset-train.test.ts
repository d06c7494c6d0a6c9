import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, PointCollator, RetrievalCollator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import { describe, expect, it } from 'vitest';
import { RetrievalTrainer } from '../src/index.js';
import { load, tmp } from './helpers.js';

describe('loadDataset → RetrievalTrainer', () => {
  it('what loadDataset returns is a trainDataset as it is, and its format is checked against the collator', async () => {
    const dir = tmp('load');
    const animals = ['fox', 'dog', 'cat', 'owl', 'bear', 'wolf', 'duck', 'deer'];
    const rows = animals.map((a, i) => JSON.stringify({ query: `where does the ${a} live`, pos: [`the ${a} lives in place ${i}`], neg: [`the ${animals[(i + 1) % 8]} lives in place ${i + 1}`] }));
    writeFileSync(join(dir, 'train.jsonl'), `${rows.join('\n')}\n`);
    const trainDataset = await loadDataset(join(dir, 'train.jsonl'));
    const model = await load();
    const args = { outputDir: join(dir, 'out'), maxSteps: 2, perDeviceTrainBatchSize: 4, loggingSteps: 1, progress: 'none' as const };
    expect(() => new RetrievalTrainer({ model, args, trainDataset, dataCollator: new PointCollator(model, { maxLength: 16 }), loss: losses.create({ name: 'arcface', inFeatures: 32, outFeatures: 2 }) })).toThrow(
      "trainDataset: the collator reads 'text', 'label', which format 'triplet' does not have",
    );
    const trainer = new RetrievalTrainer({ model, args, trainDataset, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }), loss: losses.create('infonce') });
    const r = await trainer.train();
    expect(r.steps).toBe(2);
    expect([...r.losses.values()].every(Number.isFinite)).toBe(true);
  }, 60_000);
});
