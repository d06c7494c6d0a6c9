import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW, backends, defineBackend, OptionError, SGD, tensor } from '@retrievals/core-tensor';
import { PointCollator, RetrievalCollator, ScoredPairCollator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import { describe, expect, it } from 'vitest';
import { decays, linearScheduleWithWarmup, LrScheduler, parameterGroups, parseTrainingArgs, RetrievalTrainer, TrainerError, TrainerLog } from '../src/index.js';
import { load, tmp, triplets } from './helpers.js';

describe('training arguments', () => {
  it('take transformers names and defaults, and fail naming the argument', () => {
    const a = parseTrainingArgs({ outputDir: 'out' });
    expect(a).toMatchObject({ numTrainEpochs: 3, perDeviceTrainBatchSize: 8, learningRate: 5e-5, adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, maxGradNorm: 1, lrSchedulerType: 'linear', seed: 42 });
    expect(() => parseTrainingArgs({ outputDir: 'out', learningRate: -1 })).toThrow("training arguments: option 'learningRate' must be a finite number > 0, got -1");
    expect(() => parseTrainingArgs({ outputDir: 'out', learning_rate: 1 } as never)).toThrow("unknown option 'learning_rate'; known: outputDir");
    expect(() => parseTrainingArgs({} as never)).toThrow("option 'outputDir' is required");
    expect(() => parseTrainingArgs({ outputDir: 'o', warmupRatio: 0.1, warmupSteps: 3 })).toThrow(OptionError);
    expect(() => parseTrainingArgs({ outputDir: 'o', saveTotalLimit: 2 })).toThrow("option 'saveTotalLimit' needs saveSteps");
    expect(() => parseTrainingArgs({ outputDir: 'o', batchSampler: 'random' as never })).toThrow("option 'batchSampler' must be one of");
  });
});

describe('parameter groups', () => {
  const p = () => tensor([1, 2]).requiresGrad_();
  it('no weight decay on biases and norm weights; layer-wise lr decay from the top layer down', () => {
    expect(['encoder.layer.0.attention.self.query.weight', 'embeddings.word_embeddings.weight', 'layers.1.mlp.up_proj.weight'].map(decays)).toEqual([true, true, true]);
    expect(['encoder.layer.0.attention.self.query.bias', 'encoder.layer.0.output.LayerNorm.weight', 'layers.0.input_layernorm.weight', 'norm.weight', 'embeddings.LayerNorm.weight'].map(decays)).toEqual([false, false, false, false, false]);
    const named = new Map([['embeddings.word_embeddings.weight', p()], ['encoder.layer.0.output.dense.weight', p()], ['encoder.layer.1.output.dense.weight', p()], ['encoder.layer.1.output.dense.bias', p()]]);
    const groups = parameterGroups(named, { learningRate: 1, weightDecay: 0.1, layerwiseLrDecay: 0.5 });
    const of = (name: string) => groups.find((g) => g.params.includes(named.get(name)!))!;
    expect([of('embeddings.word_embeddings.weight').lr, of('encoder.layer.0.output.dense.weight').lr, of('encoder.layer.1.output.dense.weight').lr]).toEqual([0.25, 0.5, 1]);
    expect([of('encoder.layer.1.output.dense.weight').weightDecay, of('encoder.layer.1.output.dense.bias').weightDecay]).toEqual([0.1, 0]);
  });

  it('LrScheduler sets every group to base × multiplier and round-trips its state', () => {
    const opt = new AdamW([{ params: [p()], lr: 1 }, { params: [p()], lr: 0.5 }]);
    const s = linearScheduleWithWarmup(opt, { warmupSteps: 2, totalSteps: 10 });
    expect(s.lastLr).toEqual([0, 0]);
    s.step();
    expect(s.lastLr).toEqual([0.5, 0.25]);
    const again = new LrScheduler(opt, () => 1);
    again.loadStateDict(s.stateDict());
    expect(again.stepCount).toBe(1);
  });
});

describe('RetrievalTrainer set-up', () => {
  it('checks at config time that the collator feeds the loss and the data has the collator keys', async () => {
    const model = await load();
    const base = { model, args: { outputDir: tmp('cfg'), progress: 'none' as const }, trainDataset: triplets(4) };
    expect(() => new RetrievalTrainer({ ...base, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 1 }), loss: losses.create('cosent') })).toThrow(
      "loss cosent needs 'labels', which the collator does not produce (it gives 'query', 'positive')",
    );
    expect(() => new RetrievalTrainer({ ...base, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2, teacherScoresKey: 'teacherScores' }), loss: losses.create('infonce') })).toThrow(
      "the collator produces 'teacherScores', which loss infonce does not read",
    );
    expect(() => new RetrievalTrainer({ ...base, dataCollator: new ScoredPairCollator(model, { maxLengths: 16 }), loss: losses.create('cosent') })).toThrow(
      "trainDataset: example 0 has no 'text1', 'text2', 'score' (the collator's keys); it has 'query', 'positive', 'negative'",
    );
    const formatData = { examples: triplets(4), format: { name: 'triplet', fields: ['query', 'positive', 'negative'] as const, parse: () => ({}) } };
    expect(() => new RetrievalTrainer({ ...base, trainDataset: formatData as never, dataCollator: new PointCollator(model, { maxLength: 16 }), loss: losses.create({ name: 'arcface', inFeatures: 32, outFeatures: 2 }) })).toThrow(
      "the collator reads 'text', 'label', which format 'triplet' does not have",
    );
    expect(() => new RetrievalTrainer({ ...base, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2, queryInstruction: 'query: ' }) })).toThrow(
      'the collator\'s queryInstruction "query: " differs from the model\'s ""; load the model with { queryInstruction: "query: " }',
    );
    expect(() => new RetrievalTrainer({ ...base, args: { ...base.args, temperature: 0.02 }, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }), loss: losses.create('infonce') })).toThrow(
      "option 'temperature' sets the default loss's",
    );
    // no loss: infonce with args.temperature
    const t = new RetrievalTrainer({ ...base, args: { ...base.args, temperature: 0.02 }, dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }) });
    expect(t.loss.name).toBe('infonce');
  });

  it('refuses to mix runs in one outputDir unless overwriteOutputDir; optimizer and scheduler are replaceable', async () => {
    const model = await load();
    const outputDir = tmp('ow');
    mkdirSync(join(outputDir, 'checkpoint-3'));
    writeFileSync(join(outputDir, 'trainer_log.jsonl'), '{}\n');
    const make = (overwriteOutputDir: boolean) =>
      new RetrievalTrainer({ model, args: { outputDir, maxSteps: 2, perDeviceTrainBatchSize: 2, progress: 'none', overwriteOutputDir }, trainDataset: triplets(4), dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }) });
    await expect(make(false).train()).rejects.toThrow(TrainerError);
    const t = make(true);
    t.optimizer = new SGD(model.backbone!.parameters(), { lr: 0.01 });
    t.scheduler = linearScheduleWithWarmup(t.optimizer, { warmupSteps: 0, totalSteps: 2 });
    expect(() => (t.scheduler = linearScheduleWithWarmup(new AdamW([tensor([1]).requiresGrad_()]), { warmupSteps: 0, totalSteps: 2 }))).toThrow('this scheduler drives another optimizer');
    const r = await t.train();
    expect(r.steps).toBe(2);
    expect(t.optimizer.groups[0]!.lr).toBe(0); // the linear schedule reached its end
  });

  it("precision 'bf16' runs every step on the backend's bf16 sibling; with none it fails before writing anything", async () => {
    const model = await load();
    const outputDir = tmp('bf16');
    const make = () => new RetrievalTrainer({ model, args: { outputDir, maxSteps: 2, perDeviceTrainBatchSize: 2, progress: 'none', precision: 'bf16' }, trainDataset: triplets(4), dataCollator: new RetrievalCollator(model, { maxLengths: 16, trainGroupSize: 2 }) });
    await expect(make().train()).rejects.toThrow("precision 'bf16': needs a backend that computes in bf16: none is registered");
    expect(readdirSync(outputDir)).toEqual([]);
    // a stand-in for @retrievals/backend-onednn's 'onednn-bf16' (its own tests train on the real one)
    const ort = backends.get('ort');
    let runs = 0;
    backends.register('ort-bf16', defineBackend({ name: 'ort-bf16', precision: 'bf16', run: (p, f) => (runs++, ort.run(p, f)) }));
    expect((await make().train()).steps).toBe(2);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(() => parseTrainingArgs({ outputDir, precision: 'fp16' as never })).toThrow("option 'precision' must be one of");
  });
});

describe('TrainerLog', () => {
  it('draws a bar with step, loss, lr, it/s and ETA on a terminal, JSON lines otherwise, and always appends to the file', () => {
    const written: string[] = [];
    const tty = new TrainerLog(tmp('log'), { progress: 'auto', totalSteps: 10, stream: { isTTY: true, write: (s: string) => written.push(s) } });
    tty.write({ event: 'step', step: 1, loss: 0.5 });
    tty.progress(1, 0.5, 1e-4);
    expect(written.join('')).toMatch(/1\/10 loss 0\.5000 lr 1\.00e-4 [\d.]+ it\/s ETA \d+:\d\d/);
    const lines: string[] = [];
    const plain = new TrainerLog(tmp('log'), { progress: 'auto', totalSteps: 10, stream: { isTTY: false, write: (s: string) => lines.push(s) } });
    plain.write({ event: 'step', step: 1, loss: 0.5 });
    plain.progress(1, 0.5, 1e-4);
    expect(lines).toEqual(['{"event":"step","step":1,"loss":0.5}\n']);
    expect(readFileSync(tty.file, 'utf8')).toBe('{"event":"step","step":1,"loss":0.5}\n');
    expect(readFileSync(plain.file, 'utf8')).toBe(lines[0]);
  });
});
