import { RetrievalCollator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import { RetrievalTrainer, type TrainerCallback, type TrainResult } from '../../src/index.js';
import { load, triplets } from '../helpers.js';

/** One run of the resume tests, the same in the child process and in the test. */
export interface RunConfig {
  outputDir: string;
  useLora: boolean;
  resume: boolean;
  maxSteps: number;
}

export const PROBE = ['where does the fox live', 'the owl lives in the barn', 'x'];

/** Trains, then embeds PROBE with the trained model (eval mode) so a test can compare the saved folder. */
export async function runConfig(c: RunConfig, callbacks: TrainerCallback = {}): Promise<TrainResult & { probe: Float32Array }> {
  const model = await load();
  const trainer = new RetrievalTrainer({
    model,
    args: {
      outputDir: c.outputDir, maxSteps: c.maxSteps, perDeviceTrainBatchSize: 4, gradientAccumulationSteps: 2, learningRate: 2e-3, warmupSteps: 2, weightDecay: 0.01,
      loggingSteps: 1, saveSteps: 2, saveTotalLimit: 2, progress: 'none', seed: 7, useLora: c.useLora, loraOptions: { r: 4, alpha: 8, dropout: 0.1 },
      resumeFromCheckpoint: c.resume,
    },
    trainDataset: triplets(12),
    dataCollator: new RetrievalCollator(model, { maxLengths: [16, 16, 16], trainGroupSize: 3 }),
    loss: losses.create({ name: 'infonce', temperature: 0.05 }),
    callbacks: [callbacks],
  });
  const r = await trainer.train();
  const probe = (await model.encode(PROBE)).data as Float32Array;
  await model.dispose();
  return { ...r, probe };
}
