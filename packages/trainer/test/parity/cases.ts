import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '@retrievals/fixtures';
import { formats, RetrievalCollator, ScoredPairCollator, type Collator, type Example } from '@retrievals/data';
import { losses, type Loss } from '@retrievals/losses';
import { AutoModelForEmbedding } from '@retrievals/models';
import type { TrainingArgumentsInput } from '../../src/index.js';
import { triplets } from '../helpers.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SHARED = resolve(ROOT, '../shared');
export const STEPS = 50;

/** What the PyTorch side needs to know besides the weights and batches (written to meta.json). */
export interface ParityMeta {
  case: string;
  /** The model folder, relative to the repository root. */
  model_dir: string;
  family: 'bert' | 'llama';
  pooling: 'mean' | 'last';
  loss: { name: 'infonce'; temperature: number } | { name: 'cosent'; scale: number };
  lora?: { r: number; alpha: number; scaling: number };
  hyper: { lr: number; betas: [number, number]; eps: number; weight_decay: number; warmup_steps: number; total_steps: number; max_grad_norm: number; schedule: 'linear' };
}

export interface ParityCase {
  name: string;
  /** A path the case reads, missing outside the project's machines (then the case is skipped, naming it). */
  needs?: string;
  build(): Promise<{ model: AutoModelForEmbedding; examples: Example[]; collator: Collator<Example>; loss: Loss; args: Partial<TrainingArgumentsInput> }>;
  meta: Omit<ParityMeta, 'case' | 'hyper'>;
}

/** Hyperparameters every case shares: warm-up then linear decay, decoupled weight decay, clipping at 1 (the gradients exceed it early on). */
export const COMMON = { maxSteps: STEPS, adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, weightDecay: 0.1, maxGradNorm: 1, lrSchedulerType: 'linear', loggingSteps: 1, progress: 'none' } as const;

const STSB = join(SHARED, 'data/stsb/stsb-en-train.csv');
const STORIES = join(SHARED, 'models/stories260K');

/**
 * STS-B training rows as scored pairs: the first `n` lines without a quote character, which are
 * exactly `sentence1,sentence2,score` (the quoted ones hold commas; the data package's CSV reader
 * is not what this test checks, so it takes the rows that need none).
 */
function stsbRows(n: number): Example[] {
  const out: Example[] = [];
  for (const [i, line] of readFileSync(STSB, 'utf8').split('\n').entries()) {
    const cells = line.split(',');
    if (line.includes('"') || cells.length !== 3) continue;
    out.push(formats.create('scored-pair').parse({ text1: cells[0], text2: cells[1], score: Number(cells[2]) }, { file: STSB, line: i + 1 }));
    if (out.length === n) break;
  }
  return out;
}

const NAMES = ['Lily', 'Tim', 'Sam', 'Ben', 'Mia', 'Max', 'Sue', 'Tom'];
const THINGS = [['ball', 'park'], ['cat', 'tree'], ['cake', 'kitchen'], ['boat', 'lake']];

/** Story-like query/document pairs in stories260K's vocabulary, every query distinct: what someone found where. */
function storyPairs(): Example[] {
  return NAMES.flatMap((who, i) =>
    THINGS.map(([what, where], j) =>
      formats.create('pair').parse({ query: `What did ${who} find in the ${where}?`, positive: `${who} found a ${what} in the ${where}.` }, { file: 'mem', line: i * THINGS.length + j + 1 }),
    ),
  );
}

const instructions = { queryInstruction: 'Instruct: find the story\nQuery: ', documentInstruction: '' };
const rel = (p: string) => relative(ROOT, p);

export const CASES: ParityCase[] = [
  {
    name: 'infonce-hard-negatives',
    meta: { model_dir: rel(fixturePath('bert-tiny')), family: 'bert', pooling: 'mean', loss: { name: 'infonce', temperature: 0.05 } },
    async build() {
      const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean' });
      // In-batch negatives (every positive and hard negative of the batch) plus 2 hard negatives per query drawn from 3.
      const collator = new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 3 });
      return { model, examples: triplets(16), collator, loss: losses.create({ name: 'infonce', temperature: 0.05 }), args: { perDeviceTrainBatchSize: 4, learningRate: 1e-4, warmupSteps: 5, seed: 7 } };
    },
  },
  {
    name: 'cosent-stsb',
    needs: STSB,
    meta: { model_dir: rel(fixturePath('bert-tiny')), family: 'bert', pooling: 'mean', loss: { name: 'cosent', scale: 20 } },
    async build() {
      const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean' });
      const collator = new ScoredPairCollator(model, { maxLengths: 32 });
      return { model, examples: stsbRows(200), collator, loss: losses.create({ name: 'cosent', scale: 20 }), args: { perDeviceTrainBatchSize: 8, learningRate: 5e-4, warmupSteps: 5, seed: 11 } };
    },
  },
  {
    name: 'lora-stories260k',
    needs: STORIES,
    meta: { model_dir: rel(STORIES), family: 'llama', pooling: 'last', loss: { name: 'infonce', temperature: 0.05 }, lora: { r: 4, alpha: 8, scaling: 2 } },
    async build() {
      const model = await AutoModelForEmbedding.fromPretrained(STORIES, { poolingMethod: 'last', ...instructions });
      const collator = new RetrievalCollator(model, { keys: ['query', 'positive'], maxLengths: [48, 24], ...instructions });
      return {
        model, examples: storyPairs(), collator, loss: losses.create({ name: 'infonce', temperature: 0.05 }),
        args: { perDeviceTrainBatchSize: 4, learningRate: 5e-4, warmupSteps: 5, seed: 3, useLora: true, loraOptions: { r: 4, alpha: 8, dropout: 0 } },
      };
    },
  },
];

export const missing = (c: ParityCase) => (c.needs && !existsSync(c.needs) ? c.needs : undefined);
