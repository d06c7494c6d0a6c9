import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@retrievals/fixtures';
import { mul } from '@retrievals/core-tensor';
import { RetrievalCollator } from '@retrievals/data';
import { defineLoss, losses } from '@retrievals/losses';
import { AutoModelForEmbedding, type EmbeddingMatrix } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { InformationRetrievalEvaluator, NonFiniteStepError, RetrievalTrainer, type TrainingArgumentsInput } from '../src/index.js';
import { load, noDropout, tmp, triplets } from './helpers.js';

/** infonce, except that the call numbered `at` (0-based) returns NaN. */
function poisoned(at: number) {
  const inner = losses.create({ name: 'infonce', temperature: 0.05 });
  let calls = 0;
  return defineLoss({ name: 'poisoned', required: ['query', 'positive'], optional: ['negative'], compute: (inputs) => (calls++ === at ? mul(inner(inputs), NaN) : inner(inputs)) });
}

async function trainer(args: Partial<TrainingArgumentsInput>, loss = losses.create({ name: 'infonce', temperature: 0.05 }), model?: AutoModelForEmbedding) {
  model ??= await load();
  return new RetrievalTrainer({
    model,
    args: { outputDir: tmp('steps'), maxSteps: 4, perDeviceTrainBatchSize: 4, learningRate: 1e-3, progress: 'none', seed: 2, loggingSteps: 1, ...args },
    trainDataset: triplets(8),
    dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }),
    loss,
  });
}

describe('non-finite steps', () => {
  it('a NaN loss stops the run naming the step and the batch rows', async () => {
    const t = await trainer({}, poisoned(2));
    const err = await t.train().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteStepError);
    expect((err as NonFiniteStepError).step).toBe(3);
    expect((err as NonFiniteStepError).rows).toHaveLength(4);
    expect((err as Error).message).toMatch(/^step 3: poisoned: the loss is NaN although every input is finite.*; batch rows \d+, \d+, \d+, \d+$/);
  }, 20_000);

  it("onNonFinite 'skip' leaves the weights as they were, counts the step and goes on", async () => {
    const t = await trainer({ onNonFinite: 'skip' }, poisoned(2));
    const snapshots: Float32Array[][] = [];
    t.callbacks.push({ onStepEnd: () => void snapshots.push(t.optimizer.params.map((p) => (p.buffer as Float32Array).slice())) });
    const r = await t.train();
    expect(r.skippedSteps).toBe(1);
    expect([...r.losses.keys()]).toEqual([1, 2, 4]);
    expect(snapshots[2]).toEqual(snapshots[1]); // step 3 changed nothing
    expect(snapshots[3]).not.toEqual(snapshots[2]);
    const log = readFileSync(join(t.args.outputDir, 'trainer_log.jsonl'), 'utf8');
    expect(log).toContain('"event":"skip","step":3');
  }, 20_000);
});

describe('gradient accumulation', () => {
  it('2 micro-batches of 2 take the step of one batch of 4 when the loss has no in-batch negatives', async () => {
    const run = async (batch: number, accumulation: number) => {
      const model = await load();
      noDropout(model);
      const t = new RetrievalTrainer({
        model,
        args: { outputDir: tmp('acc'), maxSteps: 3, perDeviceTrainBatchSize: batch, gradientAccumulationSteps: accumulation, learningRate: 1e-3, progress: 'none', seed: 4 },
        trainDataset: triplets(8),
        // every row has 3 negatives: no sampling, so both runs see the same texts
        dataCollator: new RetrievalCollator(model, { maxLengths: 16 }),
        loss: losses.create({ name: 'infonce', temperature: 0.05, useInbatchNegative: false }),
      });
      return [...(await t.train()).losses.values()];
    };
    const whole = await run(4, 1), accumulated = await run(2, 2);
    whole.forEach((v, i) => expect(accumulated[i]).toBeCloseTo(v, 5));
  }, 30_000);
});

describe('evaluation during training', () => {
  it('an InformationRetrievalEvaluator callback is logged at evalSteps and its nDCG@3 rises with training', async () => {
    const data = triplets(12);
    const queries = Object.fromEntries(data.map((e, i) => [`q${i}`, e.query as string]));
    const corpus = Object.fromEntries(data.map((e, i) => [`d${i}`, (e.positive as string[])[0]!]));
    const qrels = Object.fromEntries(data.map((_, i) => [`q${i}`, [`d${i}`]]));
    const ev = new InformationRetrievalEvaluator({ queries, corpus, qrels, ks: [1, 3] });
    const model = await load();
    const before = await ev.evaluate(model);
    const t = await trainer({ maxSteps: 30, evalSteps: 10, learningRate: 2e-3 }, undefined, model);
    t.callbacks.push(ev);
    await t.train();
    const evals = readFileSync(join(t.args.outputDir, 'trainer_log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"event":"eval"')).map((l) => JSON.parse(l) as Record<string, number>);
    expect(evals.map((e) => e.step)).toEqual([10, 20, 30]);
    expect(evals.at(-1)!['ir_ndcg@3']).toBeGreaterThan(before['ndcg@3']! + 0.1);
  }, 30_000);
});

describe('a decoder with LoRA, last-token pooling and instructions', () => {
  it('trains adapters only, saves the PEFT adapter and the merged model, which reloads to the same embeddings', async () => {
    const instructions = { queryInstruction: 'Instruct: find the home\nQuery: ', documentInstruction: '' };
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny'), { poolingMethod: 'last', ...instructions });
    const frozen = model.backbone!.namedParameters().get('layers.0.self_attn.q_proj.weight')!;
    const frozenBefore = (frozen.buffer as Float32Array).slice();
    const outputDir = tmp('lora');
    const t = new RetrievalTrainer({
      model,
      args: { outputDir, maxSteps: 4, perDeviceTrainBatchSize: 4, learningRate: 5e-3, progress: 'none', useLora: true, loraOptions: { r: 4, alpha: 8 }, saveMergedModel: true },
      trainDataset: triplets(8),
      dataCollator: new RetrievalCollator(model, { maxLengths: 24, trainGroupSize: 2, ...instructions }),
    });
    expect([...t.trainable.keys()].every((n) => /lora_[AB]\.weight$/.test(n))).toBe(true);
    await t.train();
    expect((frozen.buffer as Float32Array)).toEqual(frozenBefore);
    const probe = ['where does the fox live'];
    const trained = (await model.encodeQueries(probe)) as EmbeddingMatrix; // after saving, the model is merged
    const merged = await AutoModelForEmbedding.fromPretrained(join(outputDir, 'merged'));
    expect(merged.poolingMethod).toBe('last');
    expect(merged.queryInstruction).toBe(instructions.queryInstruction);
    const again = (await merged.encodeQueries(probe)) as EmbeddingMatrix;
    expect(Math.max(...again.data.map((v, i) => Math.abs(v - trained.data[i]!)))).toBeLessThan(1e-5);
    const adapter = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny'), { poolingMethod: 'last', ...instructions, lora: outputDir });
    const viaAdapter = (await adapter.encodeQueries(probe)) as EmbeddingMatrix;
    expect(Math.max(...viaAdapter.data.map((v, i) => Math.abs(v - trained.data[i]!)))).toBeLessThan(1e-5);
  }, 30_000);
});

