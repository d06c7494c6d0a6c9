import { join } from 'node:path';
import { loadBeir, loadDataset, RetrievalCollator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { InformationRetrievalEvaluator, RetrievalTrainer } from '@retrievals/trainer';

export interface FinetuneOptions {
  /** A folder written by buildWordnetTask. */
  taskDir: string;
  outputDir: string;
  maxSteps: number;
  batchSize: number;
  learningRate: number;
  /** Train LoRA adapters only (decoders), else every weight. */
  useLora?: boolean;
  maxLengths?: [number, number];
  seed?: number;
  progress?: 'auto' | 'json' | 'none';
}

export interface FinetuneResult {
  before: Record<string, number>;
  after: Record<string, number>;
  /** The test split, evaluated once after training (the dev split is what a run is tuned on). */
  test: { before: Record<string, number>; after: Record<string, number> };
  losses: number[];
  graphs: { shapes: number; compiled: number | undefined };
}

/**
 * Fine-tunes a model on the WordNet task's train pairs (gloss → synset card) with in-batch InfoNCE
 * and reports dev and test IR metrics before and after: the seed's "fine-tune, evaluate" loop on
 * real English.
 */
export async function finetuneOnTask(model: AutoModelForEmbedding, o: FinetuneOptions): Promise<FinetuneResult> {
  const evaluator = async (split: 'dev' | 'test') => new InformationRetrievalEvaluator({ ...(await loadBeir(join(o.taskDir, split))), ks: [1, 10] });
  const dev = await evaluator('dev'), test = await evaluator('test');
  const before = await dev.evaluate(model), testBefore = await test.evaluate(model);
  const trainer = new RetrievalTrainer({
    model,
    args: {
      outputDir: o.outputDir, overwriteOutputDir: true, maxSteps: o.maxSteps, perDeviceTrainBatchSize: o.batchSize, learningRate: o.learningRate,
      warmupRatio: 0.1, seed: o.seed ?? 42, loggingSteps: 10, useLora: o.useLora ?? false, progress: o.progress ?? 'none', dataloaderDropLast: true,
    },
    trainDataset: await loadDataset(join(o.taskDir, 'train.jsonl')),
    dataCollator: new RetrievalCollator(model, {
      keys: ['query', 'positive'], maxLengths: o.maxLengths ?? [48, 64], queryInstruction: model.queryInstruction, documentInstruction: model.documentInstruction,
    }),
    loss: losses.create({ name: 'infonce', temperature: 0.05 }),
  });
  const run = await trainer.train();
  return { before, after: await dev.evaluate(model), test: { before: testBefore, after: await test.evaluate(model) }, losses: [...run.losses.values()], graphs: run.graphs };
}
