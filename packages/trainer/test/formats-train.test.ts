import { classesOf, formats, ListwiseCollator, PointCollator, RetrievalCollator, ScoredPairCollator, type Collator, type Example } from '@retrievals/data';
import { losses, type Loss } from '@retrievals/losses';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { RetrievalTrainer, type TrainingArgumentsInput } from '../src/index.js';
import { load, noDropout, tmp, triplets } from './helpers.js';

const where = (i: number) => ({ file: 'mem', line: i + 1 });
const parse = (format: string, rows: Record<string, unknown>[]): Example[] => rows.map((r, i) => formats.create(format).parse(r, where(i)));
const ANIMALS = ['fox', 'dog', 'cat', 'horse', 'sheep', 'goat', 'duck', 'owl'];
const PLACES = ['forest', 'house', 'farm', 'river', 'hill', 'field', 'barn', 'lake'];

interface Case {
  name: string;
  data: () => Example[];
  collator: (m: AutoModelForEmbedding, data: Example[]) => Collator;
  loss: () => Loss;
  args?: Partial<TrainingArgumentsInput>;
}

const CASES: Case[] = [
  {
    name: 'point + arcface',
    data: () => parse('point', ANIMALS.flatMap((a, i) => [{ text: `the ${a} runs`, label: i % 2 ? 'wild' : 'tame' }, { text: `a ${a} sleeps`, label: i % 2 ? 'wild' : 'tame' }])),
    collator: (m, d) => new PointCollator(m, { maxLength: 16, classes: classesOf(d) }),
    loss: () => losses.create({ name: 'arcface', inFeatures: 32, outFeatures: 2, scale: 8, margin: 0.2 }),
  },
  {
    name: 'pair + infonce (in-batch negatives)',
    data: () => parse('pair', ANIMALS.map((a, i) => ({ query: `where does the ${a} live`, pos: `the ${a} lives in the ${PLACES[i]}` }))),
    collator: (m) => new RetrievalCollator(m, { keys: ['query', 'positive'], maxLengths: [16, 16] }),
    loss: () => losses.create({ name: 'infonce', temperature: 0.05 }),
  },
  {
    name: 'triplet/group + triplet loss (G = 3)',
    data: () => triplets(8),
    collator: (m) => new RetrievalCollator(m, { maxLengths: 16, trainGroupSize: 3 }),
    loss: () => losses.create({ name: 'triplet', margin: 0.5 }),
  },
  {
    name: 'scored-pair + cosent',
    data: () => parse('scored-pair', ANIMALS.flatMap((a, i) => [
      { text1: `the ${a} lives in the ${PLACES[i]}`, text2: `in the ${PLACES[i]} lives the ${a}`, score: 5 },
      { text1: `the ${a} lives in the ${PLACES[i]}`, text2: `a ${ANIMALS[(i + 3) % 8]} eats`, score: 0 },
    ])),
    collator: (m) => new ScoredPairCollator(m, { maxLengths: 16 }),
    loss: () => losses.create({ name: 'cosent' }),
  },
  {
    name: 'listwise + listwise loss',
    data: () => parse('listwise', ANIMALS.map((a, i) => ({ query: `where does the ${a} live`, docs: [`the ${a} lives in the ${PLACES[i]}`, `the ${a} visits the ${PLACES[(i + 1) % 8]}`, `a ${ANIMALS[(i + 2) % 8]} sleeps`], scores: [2, 1, 0] }))),
    collator: (m) => new ListwiseCollator(m, { maxLengths: 16 }),
    loss: () => losses.create({ name: 'listwise', labelTemperature: 0.2 }),
  },
  {
    name: 'teacher-scored + kl-distill',
    data: () => parse('teacher-scored', triplets(8).map((t) => ({ ...t, pos_scores: [4], neg_scores: [1, 0.5, 0] }))),
    collator: (m) => new RetrievalCollator(m, { maxLengths: 16, trainGroupSize: 3, teacherScoresKey: 'teacherScores' }),
    loss: () => losses.create({ name: 'kl-distill', temperature: 0.1 }),
  },
  {
    name: 'triplet + cached (GradCache) infonce, chunks of 3',
    data: () => triplets(8),
    collator: (m) => new RetrievalCollator(m, { maxLengths: 16, trainGroupSize: 2 }),
    loss: () => losses.create({ name: 'cached', loss: { name: 'infonce', temperature: 0.05 }, chunkSize: 3 }),
  },
];

/** Eval-mode loss over the whole training set, the same rows each time: what training should lower. */
async function trainOnce(c: Case) {
  const model = await load();
  const data = c.data();
  const trainer = new RetrievalTrainer({
    model,
    args: { outputDir: tmp('fmt'), maxSteps: 10, perDeviceTrainBatchSize: 4, perDeviceEvalBatchSize: 16, learningRate: 2e-3, progress: 'none', seed: 3, ...c.args },
    trainDataset: data,
    evalDataset: data,
    dataCollator: c.collator(model, data),
    loss: c.loss(),
  });
  const before = (await trainer.evaluate()).eval_loss!;
  const r = await trainer.train();
  const after = (await trainer.evaluate()).eval_loss!;
  await model.dispose();
  return { before, after, r };
}

describe('every data format trains end to end with its loss (bert-tiny, 10 steps)', () => {
  it.each(CASES)('$name', async (c) => {
    const { before, after, r } = await trainOnce(c);
    expect(r.steps).toBe(10);
    expect([...r.losses.values()].every(Number.isFinite)).toBe(true);
    expect(after).toBeLessThan(before * 0.9);
  }, 30_000);
});

describe('accumulation and cached agree with the plain step', () => {
  it('GradCache over chunks takes the same steps as the uncached loss (no dropout)', async () => {
    const losses_ = async (loss: Loss) => {
      const model = await load('bert-tiny');
      const t = new RetrievalTrainer({
        model,
        args: { outputDir: tmp('gc'), maxSteps: 3, perDeviceTrainBatchSize: 4, learningRate: 1e-3, progress: 'none', seed: 5 },
        trainDataset: triplets(8),
        dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }),
        loss,
      });
      noDropout(model); // GradCache's chunks draw their own dropout masks; without dropout only the summation order differs
      return [...(await t.train()).losses.values()];
    };
    const plain = await losses_(losses.create({ name: 'infonce', temperature: 0.05 }));
    const cached = await losses_(losses.create({ name: 'cached', loss: { name: 'infonce', temperature: 0.05 }, chunkSize: 3 }));
    plain.forEach((v, i) => expect(cached[i]).toBeCloseTo(v, 4));
  }, 30_000);
});
