import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendForPrecision, OptionError, withBackend } from '@retrievals/core-tensor';
import { dataFiles, loadDataset, readRecords, RetrievalCollator, ScoredPairCollator, type Collator, type LoadedDataset } from '@retrievals/data';
import { losses, type Loss } from '@retrievals/losses';
import { AutoModelForEmbedding } from '@retrievals/models';
import { listCheckpoints, optimizers, RetrievalTrainer, schedulers, STATE_FILE } from '@retrievals/trainer';
import type { CommandDef, Out } from '../command.js';
import { boolOf } from '../flag-spec.js';
import { asksForEvaluation, evaluateAll, evaluatorsOf } from '../evaluation.js';
import type { Options } from '../options.js';
import { metricsTable } from '../table.js';
import { EMBED_FLAGS } from './embed-flags.js';
import { backendOf } from './model-flags.js';

/**
 * `retrievals embed`: open-retrievals' `python -m retrievals.pipelines.embed` (same flags) on
 * RetrievalTrainer. Loads the model and data, builds the loss, collator and training arguments
 * from the flags, trains, saves the model in output_dir and evaluates it on the --eval_data (or --queries/--corpus/--qrels) and --eval_sts sets.
 */
export const embed: CommandDef = {
  name: 'embed',
  summary: 'fine-tune an embedding model (open-retrievals pipelines.embed)',
  flags: EMBED_FLAGS,
  epilog: [
    'Example (the seed\'s first script, torchrun … -m retrievals.pipelines.embed → retrievals embed):',
    '  retrievals embed --output_dir out --overwrite_output_dir --model_name_or_path DIR --do_train \\',
    '    --data_name_or_path train.jsonl --query_key query --positive_key positive --negative_key negative \\',
    '    --learning_rate 3e-5 --fp16 --num_train_epochs 5 --per_device_train_batch_size 32 --dataloader_drop_last True \\',
    '    --query_max_length 64 --document_max_length 512 --train_group_size 4 --logging_steps 100 --temperature 0.02 \\',
    '    --use_inbatch_negative false',
  ].join('\n'),
  async run(o, { out }) {
    // The trainer realises its steps on the context's backend, so a chosen one wraps the whole run.
    const backend = precisionBackend(o, out) ?? backendOf(o);
    await (backend ? withBackend(backend, () => runEmbed(o, out, backend)) : runEmbed(o, out, undefined));
  },
};

async function runEmbed(o: Options, out: Out, backend: string | undefined): Promise<void> {
  const doTrain = o.bool('do_train');
  if (!doTrain && !asksForEvaluation(o)) throw o.usageError('nothing to do: give --do_train (with --data_name_or_path), or --eval_data (or --queries/--corpus/--qrels) / --eval_sts to evaluate only');
  const modelDir = o.required('model_name_or_path');
  const outputDir = doTrain ? o.required('output_dir') : o.string('output_dir');
  const dataPath = doTrain ? o.required('data_name_or_path') : undefined;
  if (o.given('eval_steps') && !asksForEvaluation(o)) throw o.usageError('--eval_steps needs evaluation data: give --eval_data (or --queries/--corpus/--qrels) and/or --eval_sts');
  // Components by name now, so a misspelt one fails before the model loads (and lists the known ones).
  for (const [flag, registry] of [['optim', optimizers], ['lr_scheduler_type', schedulers]] as const) registry.get(o.string(flag)!);
  const model = await AutoModelForEmbedding.fromPretrained(modelDir, {
    poolingMethod: o.string('pooling_method'),
    queryInstruction: o.string('query_instruction'),
    documentInstruction: o.string('document_instruction'),
    addEos: o.given('add_eos') ? o.bool('add_eos') : undefined,
    backend,
  });
  try {
    const evaluators = await evaluatorsOf(o, o.number('per_device_train_batch_size'));
    if (!doTrain) {
      printMetrics(out, await evaluateAll(model, evaluators));
      return;
    }
    const data = await loadTrainData(o, dataPath!);
    out(data.summary());
    const collator = collatorFor(o, model, data);
    const loss = lossOf(o);
    const trainer = new RetrievalTrainer({
      model,
      args: {
        outputDir: outputDir!,
        overwriteOutputDir: o.bool('overwrite_output_dir'),
        numTrainEpochs: o.number('num_train_epochs'),
        maxSteps: o.number('max_steps'),
        perDeviceTrainBatchSize: o.number('per_device_train_batch_size'),
        gradientAccumulationSteps: o.number('gradient_accumulation_steps'),
        learningRate: o.number('learning_rate'),
        weightDecay: o.number('weight_decay'),
        warmupRatio: o.number('warmup_ratio'),
        warmupSteps: o.number('warmup_steps'),
        lrSchedulerType: o.string('lr_scheduler_type')!,
        optim: o.string('optim')!,
        maxGradNorm: o.number('max_grad_norm'),
        seed: o.number('seed'),
        loggingSteps: o.number('logging_steps'),
        evalSteps: o.number('eval_steps'),
        saveSteps: o.number('save_steps'),
        saveTotalLimit: o.number('save_total_limit'),
        dataloaderDropLast: o.bool('dataloader_drop_last'),
        useLora: o.bool('use_lora'),
        loraOptions: { r: o.number('lora_rank')!, alpha: o.number('lora_alpha')!, dropout: o.number('lora_dropout')! },
        saveMergedModel: o.bool('save_merged_model'),
        resumeFromCheckpoint: resumeOf(o.string('resume_from_checkpoint')),
        progress: o.string('progress'),
      },
      trainDataset: data,
      dataCollator: collator as Collator<Record<string, unknown>>,
      loss,
      // Evaluated once at the end below; as callbacks only when asked for every eval_steps as well (each run costs a full encode).
      callbacks: o.given('eval_steps') ? evaluators : [],
    });
    const resumed = resumePoint(trainer.args.resumeFromCheckpoint, trainer.args.outputDir);
    if (resumed) out(`resuming from ${resumed.dir} (step ${resumed.step} of ${trainer.totalSteps})`);
    out(`training ${trainer.totalSteps} steps: loss ${loss.name}, ${o.bool('use_lora') ? `LoRA r=${o.number('lora_rank')}` : 'all weights'}, pooling '${model.poolingMethod}', batch ${o.number('per_device_train_batch_size')}×${o.number('gradient_accumulation_steps')}`);
    const result = await trainer.train();
    const steps = [...result.losses.values()];
    out(`trained ${resumed ? `steps ${resumed.step + 1}–${result.steps}` : `${result.steps} steps`}${result.skippedSteps ? ` (${result.skippedSteps} skipped)` : ''}; loss ${steps.length ? `${steps[0]!.toFixed(4)} → ${steps[steps.length - 1]!.toFixed(4)}` : 'not logged'}; ${result.graphs.shapes} batch shapes`);
    out(`saved ${o.bool('use_lora') ? 'the LoRA adapter' : 'the model'} in ${result.outputDir} (log: trainer_log.jsonl)`);
    if (evaluators.length) printMetrics(out, await evaluateAll(model, evaluators));
  } finally {
    await model.dispose();
  }
}

function printMetrics(out: Out, metrics: Record<string, number>): void {
  for (const line of metricsTable(['value'], [metrics])) out(line);
}

/**
 * The checkpoint a resume starts from and its step, to say so before training; the trainer
 * resolves it by the same rule (true: the newest checkpoint-<n> with a state file) and reports a
 * missing or unreadable one itself, so here that is only "nothing to say".
 */
function resumePoint(resume: boolean | string, outputDir: string): { dir: string; step: number } | undefined {
  if (resume === false) return undefined;
  if (resume === true) return listCheckpoints(outputDir).at(-1);
  try {
    const { step } = JSON.parse(readFileSync(join(resume, STATE_FILE), 'utf8')) as { step?: unknown };
    return typeof step === 'number' ? { dir: resume, step } : undefined;
  } catch {
    return undefined;
  }
}

/** --resume_from_checkpoint: a boolean word (as transformers reads it), else a checkpoint folder. */
function resumeOf(v: string | undefined): boolean | string {
  return v === undefined ? false : (boolOf(v) ?? v);
}

/**
 * --fp16 / --bf16: training here is fp32 on CPU, except with --bf16 where a bf16 backend is
 * registered (the @retrievals/backend-onednn plugin, from the config's plugins, registers
 * 'onednn-bf16': bf16 matmuls accumulating in fp32): then training runs on it, or on the
 * --backend's bf16 sibling. Otherwise one line says what the flag does, as open-retrievals
 * scripts pass it routinely.
 */
function precisionBackend(o: Options, out: Out): string | undefined {
  if (o.bool('fp16')) out('--fp16: accepted for open-retrievals scripts; this CPU build trains in fp32 (same results, no mixed precision)');
  if (!o.bool('bf16')) return undefined;
  try {
    const name = backendForPrecision('bf16', o.given('backend') ? o.string('backend') : undefined);
    out(`--bf16: training on the '${name}' backend (bf16 matmuls, fp32 accumulation)`);
    return name;
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    out(`--bf16: ${e.message}; training in fp32`);
    return undefined;
  }
}

/**
 * The training rows. With the key flags at their defaults the format is inferred from the first row
 * (FlagEmbedding's pos/neg, sentence-transformers' anchor/positive, STS's sentence1/sentence2/score,
 * ...); with keys given, rows that carry the negative key are triplets (groups), others pairs.
 */
async function loadTrainData(o: Options, path: string): Promise<LoadedDataset<Record<string, unknown>>> {
  const format = o.string('format');
  const keysGiven = ['query_key', 'positive_key', 'negative_key'].some((k) => o.given(k));
  if (!format && !keysGiven) return (await loadDataset(path)) as unknown as LoadedDataset<Record<string, unknown>>;
  let name = format;
  if (!name) {
    const [first] = await dataFiles(path);
    for await (const item of readRecords(first!)) {
      name = item.record && item.record[o.string('negative_key')!] !== undefined ? 'triplet' : 'pair';
      break;
    }
  }
  const keys = name === 'triplet' || name === 'group' || name === 'hard-negatives'
    ? { queryKey: o.string('query_key'), positiveKey: o.string('positive_key'), negativeKey: o.string('negative_key') }
    : name === 'pair'
      ? { queryKey: o.string('query_key'), positiveKey: o.string('positive_key') }
      : {};
  return (await loadDataset(path, { format: name, ...keys })) as unknown as LoadedDataset<Record<string, unknown>>;
}

function collatorFor(o: Options, model: AutoModelForEmbedding, data: LoadedDataset<Record<string, unknown>>): Collator<Record<string, unknown>> {
  const q = o.number('query_max_length')!, d = o.number('document_max_length')!;
  const instructions = { queryInstruction: model.queryInstruction, documentInstruction: model.documentInstruction };
  const fields = data.format.fields as readonly string[];
  if (fields.includes('text1') && fields.includes('score')) {
    return new ScoredPairCollator(model, { maxLengths: [d, d], instruction: model.documentInstruction }) as unknown as Collator<Record<string, unknown>>;
  }
  if (!fields.includes('query') || !fields.includes('positive')) {
    throw o.usageError(`embed trains on query/positive rows (pair, triplet, teacher-scored) or scored pairs (scored-pair); ${data.files[0]} reads as format '${data.format.name}'`);
  }
  if (fields.includes('negative')) {
    return new RetrievalCollator(model, { keys: ['query', 'positive', 'negative'], maxLengths: [q, d, d], trainGroupSize: o.number('train_group_size'), ...instructions });
  }
  return new RetrievalCollator(model, { keys: ['query', 'positive'], maxLengths: [q, d], ...instructions });
}

/**
 * --loss_fn with --temperature and --use_inbatch_negative: both go to a loss that has the option.
 * At their defaults they are dropped for a loss without it (cosent has no temperature); given
 * explicitly, the loss's own error says it has no such option.
 */
function lossOf(o: Options): Loss {
  const spec = o.component('loss_fn')!;
  const base = typeof spec === 'string' ? { name: spec } : { ...spec };
  const extras: Record<string, unknown> = {};
  if (!('temperature' in base)) extras.temperature = o.number('temperature');
  if (!('useInbatchNegative' in base)) extras.useInbatchNegative = o.bool('use_inbatch_negative');
  const flagOf: Record<string, string> = { temperature: 'temperature', useInbatchNegative: 'use_inbatch_negative' };
  for (;;) {
    try {
      return losses.create({ ...base, ...extras });
    } catch (e) {
      const option = e instanceof OptionError ? e.details?.option : undefined;
      if (option === undefined || !(option in extras) || o.given(flagOf[option]!)) throw e;
      delete extras[option];
    }
  }
}
