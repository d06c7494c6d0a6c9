import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backendForPrecision, getBackend, OptionError, withBackend, type Optimizer, type Tensor } from '@retrievals/core-tensor';
import { derivedGenerator, type Collator } from '@retrievals/data';
import { losses as lossRegistry, type Loss } from '@retrievals/losses';
import { applyLora, mergeAndUnload, namedLoraParameters, saveAdapter, type AutoModelForEmbedding } from '@retrievals/models';
import { parseTrainingArgs, type TrainingArguments, type TrainingArgumentsInput } from './args.js';
import type { TrainerCallback, TrainerProgress } from './callbacks.js';
import { listCheckpoints, locateParams, pruneCheckpoints, readState, removeUnfinishedSaves, resolveCheckpoint, restoreCheckpoint, writeCheckpoint, type DataPosition } from './checkpoint.js';
import { checkFields, EpochPlan, examplesOf, type TrainDataset } from './datasets.js';
import { TrainerError } from './errors.js';
import { evaluateAll } from './evaluate.js';
import { LOG_FILE, TrainerLog } from './log.js';
import { createScheduler, LrScheduler } from './lr-scheduler.js';
import { parameterGroups } from './param-groups.js';
import { optimizers } from './registry.js';
import { optimizerStep, RNG } from './step.js';

export interface RetrievalTrainerOptions<E> {
  model: AutoModelForEmbedding;
  args: TrainingArgumentsInput;
  trainDataset: TrainDataset<E>;
  evalDataset?: TrainDataset<E>;
  dataCollator: Collator<E>;
  /** Default: infonce with args.temperature (0.05). */
  loss?: Loss;
  callbacks?: TrainerCallback[];
}

export interface TrainResult {
  /** Optimizer steps done (including a resumed run's earlier ones). */
  steps: number;
  /** The loss of each step this call ran, by step number. */
  losses: Map<number, number>;
  skippedSteps: number;
  /** Distinct batch shapes the collator produced (one training graph each) and graphs the backend compiled during this call. */
  graphs: { shapes: number; compiled: number | undefined };
  outputDir: string;
}

/**
 * The training loop of open-retrievals' RetrievalTrainer over @retrievals' pieces: seeded epochs of
 * collated batches → model forward → loss → backward → (accumulate) → clip → optimizer step, one
 * compiled run per step; logging, evaluation, atomic checkpoints and exact resume.
 */
export class RetrievalTrainer<E = Record<string, unknown>> {
  readonly args: TrainingArguments;
  readonly model: AutoModelForEmbedding;
  readonly loss: Loss;
  readonly collator: Collator<E>;
  readonly callbacks: TrainerCallback[];
  private readonly train_: { examples: readonly E[] };
  private readonly eval_: { examples: readonly E[] } | undefined;
  private readonly plan: EpochPlan<E>;
  /** The trained tensors of the model by name (LoRA adapters with useLora). */
  readonly trainable: Map<string, Tensor>;
  private optimizer_: Optimizer | undefined;
  private scheduler_: LrScheduler | undefined;
  readonly totalSteps: number;

  constructor(o: RetrievalTrainerOptions<E>) {
    this.args = parseTrainingArgs(o.args);
    const a = this.args;
    if (!o.model?.backbone) throw new TrainerError('RetrievalTrainer: the model must run on the tensor runtime (load it from a folder with safetensors weights)');
    this.model = o.model;
    if (o.loss && a.temperature !== undefined) throw new OptionError("training arguments: option 'temperature' sets the default loss's; a loss is given, set temperature on it", { kind: 'training', name: 'arguments', option: 'temperature' });
    this.loss = o.loss ?? lossRegistry.create({ name: 'infonce', temperature: a.temperature ?? 0.05 });
    this.collator = o.dataCollator;
    this.callbacks = o.callbacks ?? [];
    this.train_ = examplesOf(o.trainDataset, 'trainDataset');
    checkFields(this.collator as Collator, this.loss, this.train_, 'trainDataset');
    if (o.evalDataset) {
      this.eval_ = examplesOf(o.evalDataset, 'evalDataset');
      checkFields(this.collator as Collator, this.loss, this.eval_, 'evalDataset');
    }
    this.checkInstructions();
    if (a.useLora) applyLora(this.model, { ...a.loraOptions, generator: derivedGenerator(a.seed, RNG.lora) });
    else this.model.backbone!.requiresGrad_(true);
    this.trainable = a.useLora ? namedLoraParameters(this.model) : new Map([...this.model.backbone!.namedParameters()].filter(([, p]) => p.requiresGrad));
    this.plan = new EpochPlan(this.train_.examples, this.collator, {
      seed: a.seed, batchSize: a.perDeviceTrainBatchSize, dropLast: a.dataloaderDropLast, noDuplicates: a.batchSampler === 'no_duplicates', groupByLength: a.groupByLength, accumulation: a.gradientAccumulationSteps,
    });
    this.totalSteps = a.maxSteps ?? Math.max(1, Math.ceil(a.numTrainEpochs * this.plan.stepsIn(0)));
  }

  /** The collator's instructions are the model's, so the saved folder embeds as the model was trained. */
  private checkInstructions(): void {
    const given = (this.collator as { options?: { queryInstruction?: string; documentInstruction?: string } }).options;
    if (!given) return;
    for (const [k, model] of [['queryInstruction', this.model.queryInstruction], ['documentInstruction', this.model.documentInstruction]] as const) {
      const c = given[k];
      if ((c ?? '') !== (model ?? '')) {
        throw new TrainerError(`the collator's ${k} ${JSON.stringify(c ?? '')} differs from the model's ${JSON.stringify(model ?? '')}; load the model with { ${k}: ${JSON.stringify(c ?? '')} } so the saved folder embeds as it was trained`);
      }
    }
  }

  /** args.optim from the optimizers registry (AdamW) over weight-decay / layer-wise groups, unless replaced. */
  get optimizer(): Optimizer {
    if (!this.optimizer_) {
      const a = this.args;
      const groups = parameterGroups(this.trainable, a);
      const lossParams = this.loss.parameters();
      if (lossParams.length) groups.push({ params: lossParams, lr: a.learningRate, weightDecay: a.weightDecay });
      const adam = ['adamw', 'adamw_torch'].includes(a.optim);
      const options = adam ? { betas: [a.adamBeta1, a.adamBeta2], eps: a.adamEpsilon } : {};
      this.optimizer_ = optimizers.create({ name: a.optim, lr: a.learningRate, weightDecay: a.weightDecay, ...options })(groups);
    }
    return this.optimizer_;
  }

  set optimizer(o: Optimizer) {
    this.optimizer_ = o;
    if (this.scheduler_ && this.scheduler_.optimizer !== o) this.scheduler_ = undefined;
  }

  get warmupSteps(): number {
    return this.args.warmupSteps || Math.ceil(this.args.warmupRatio * this.totalSteps);
  }

  /** lrSchedulerType over the optimizer, unless replaced. */
  get scheduler(): LrScheduler {
    this.scheduler_ ??= createScheduler(this.optimizer, this.args.lrSchedulerType, { warmupSteps: this.warmupSteps, totalSteps: this.totalSteps });
    return this.scheduler_;
  }

  set scheduler(s: LrScheduler) {
    if (s.optimizer !== this.optimizer) throw new TrainerError('trainer.scheduler: this scheduler drives another optimizer; set trainer.optimizer first and build the scheduler on it');
    this.scheduler_ = s;
  }

  private prepareOutputDir(resuming: boolean): void {
    const dir = this.args.outputDir;
    if (resuming || !existsSync(dir)) return;
    const previous = readdirSync(dir).filter((n) => n === LOG_FILE || /^checkpoint-\d+$/.test(n));
    if (!previous.length) return;
    if (!this.args.overwriteOutputDir) throw new TrainerError(`outputDir ${dir} holds a previous run (${previous.slice(0, 3).join(', ')}); set overwriteOutputDir, or resumeFromCheckpoint to continue it`);
    for (const n of previous) rmSync(join(dir, n), { recursive: true, force: true });
  }

  private progress(step: number, epoch: number): TrainerProgress {
    return { step, totalSteps: this.totalSteps, epoch, model: this.model };
  }

  /** Evaluation loss on evalDataset and every evaluator callback's metrics, with the model in eval mode. */
  async evaluate(): Promise<Record<string, number>> {
    return evaluateAll({ model: this.model, loss: this.loss, collator: this.collator, examples: this.eval_?.examples, batchSize: this.args.perDeviceEvalBatchSize, callbacks: this.callbacks });
  }

  /** Runs the training; on the backend that `backend` and `precision` name, when given (resolved before anything is written). */
  async train(): Promise<TrainResult> {
    const { backend, precision } = this.args;
    if (backend === undefined && precision === undefined) return this.run();
    const name = precision === undefined ? backend! : backendForPrecision(precision, backend);
    return withBackend(name, () => this.run());
  }

  private async run(): Promise<TrainResult> {
    const a = this.args;
    const from = resolveCheckpoint(a.outputDir, a.resumeFromCheckpoint);
    this.prepareOutputDir(from !== undefined);
    removeUnfinishedSaves(a.outputDir);
    const optimizer = this.optimizer, scheduler = this.scheduler;
    const log = new TrainerLog(a.outputDir, { progress: a.progress as 'auto' | 'json' | 'none', totalSteps: this.totalSteps });
    let step = 0, skipped = 0;
    let position: DataPosition = { epoch: 0, batch: 0 };
    if (from) {
      const state = readState(from);
      if (state.rng.seed !== a.seed) throw new TrainerError(`resumeFromCheckpoint: ${from} was written by a run with seed ${state.rng.seed}, this one has ${a.seed}`);
      restoreCheckpoint(from, state, { params: this.trainable, optimizer, lossParams: this.loss.parameters() });
      scheduler.loadStateDict(state.scheduler);
      ({ step, position, skippedSteps: skipped } = state);
      log.write({ event: 'resume', step, checkpoint: from });
    }
    const backend = getBackend() as { stats?: { compiles: number } };
    const compiles0 = backend.stats?.compiles;
    const ctx = { model: this.model, collator: this.collator as Collator, loss: this.loss, optimizer, params: optimizer.params, seed: a.seed, maxGradNorm: a.maxGradNorm, onNonFinite: a.onNonFinite as 'stop' | 'skip' };
    const stepsPerEpoch = this.plan.stepsIn(0);
    const losses = new Map<number, number>();
    let window: number[] = [];
    for (const cb of this.callbacks) await cb.onTrainBegin?.(this.progress(step, position.epoch));
    while (step < this.totalSteps) {
      const batches = this.plan.batches(position.epoch);
      if (position.batch >= batches.length) {
        position = { epoch: position.epoch + 1, batch: 0 };
        continue;
      }
      const group = batches.slice(position.batch, position.batch + a.gradientAccumulationSteps);
      const micro = group.map((rows, j) =>
        this.collator.collate(rows.map((r) => this.train_.examples[r]!), { rows, generator: derivedGenerator(a.seed, RNG.sample, position.epoch, position.batch + j) }),
      );
      const lr = optimizer.groups[0]!.lr;
      const result = await optimizerStep(ctx, step + 1, micro);
      step++;
      position = { epoch: position.epoch, batch: position.batch + group.length };
      scheduler.step();
      const epoch = position.epoch + Math.min(1, Math.ceil(position.batch / a.gradientAccumulationSteps) / stepsPerEpoch);
      if (result.skipped) {
        skipped++;
        log.write({ event: 'skip', step, epoch, rows: micro.flatMap((b) => b.rows), skipped });
      } else {
        losses.set(step, result.loss);
        window.push(result.loss);
        log.progress(step, result.loss, lr);
      }
      if (step % a.loggingSteps === 0 || step === this.totalSteps) {
        if (window.length) log.write({ event: 'step', step, epoch, loss: window.reduce((x, y) => x + y, 0) / window.length, lr, grad_norm: result.gradNorm });
        window = [];
      }
      for (const cb of this.callbacks) await cb.onStepEnd?.({ ...this.progress(step, epoch), loss: result.loss, lr });
      if (a.evalSteps !== undefined && step % a.evalSteps === 0 && step !== this.totalSteps) await this.logEval(log, step);
      if (a.saveSteps !== undefined && step % a.saveSteps === 0) {
        const dir = await this.saveCheckpoint(step, position, skipped);
        log.write({ event: 'save', step, checkpoint: dir });
        for (const cb of this.callbacks) await cb.onSave?.({ ...this.progress(step, epoch), dir });
      }
    }
    if (a.evalSteps !== undefined || this.eval_ || this.callbacks.some((c) => c.evaluate)) await this.logEval(log, step);
    await this.saveFinal();
    const graphs = { shapes: this.collator.stats.signatures.size, compiled: compiles0 === undefined ? undefined : backend.stats!.compiles - compiles0 };
    log.write({ event: 'end', step, skipped_steps: skipped, batch_shapes: graphs.shapes, graphs_compiled: graphs.compiled ?? null, output_dir: a.outputDir });
    for (const cb of this.callbacks) await cb.onTrainEnd?.(this.progress(step, position.epoch));
    return { steps: step, losses, skippedSteps: skipped, graphs, outputDir: a.outputDir };
  }

  private async logEval(log: TrainerLog, step: number): Promise<void> {
    const metrics = await this.evaluate();
    if (Object.keys(metrics).length) log.write({ event: 'eval', step, ...metrics });
  }

  private saveModel(dir: string): Promise<void> {
    return this.args.useLora ? saveAdapter(this.model, dir) : this.model.savePretrained(dir);
  }

  private async saveCheckpoint(step: number, position: DataPosition, skippedSteps: number): Promise<string> {
    const names = [...this.trainable.keys()];
    const dir = await writeCheckpoint(
      this.args.outputDir,
      { step, position, rng: { seed: this.args.seed, derivation: 'seed-path' }, scheduler: this.scheduler.stateDict(), skippedSteps, useLora: this.args.useLora },
      {
        saveModel: (d) => this.saveModel(d),
        locate: (d) => (this.args.useLora ? locateParams(d, 'adapter_model.safetensors', names, ['base_model.model.']) : locateParams(d, 'model.safetensors', names, [this.model.weightPrefix ?? ''])),
        optimizer: this.optimizer,
        lossParams: this.loss.parameters(),
      },
    );
    pruneCheckpoints(this.args.outputDir, this.args.saveTotalLimit);
    return dir;
  }

  /** The final model in outputDir: the HF folder (pooling, instructions, normalisation) or, with LoRA, the PEFT adapter and optionally the merged model in outputDir/merged. */
  private async saveFinal(): Promise<void> {
    const out = this.args.outputDir;
    this.model.backbone!.eval();
    await this.saveModel(out);
    if (this.args.useLora && this.args.saveMergedModel) {
      await mergeAndUnload(this.model);
      await this.model.savePretrained(join(out, 'merged'));
    }
  }

  /** The checkpoints of this run's outputDir, oldest first. */
  checkpoints(): { step: number; dir: string }[] {
    return listCheckpoints(this.args.outputDir);
  }
}
