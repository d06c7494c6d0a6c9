import { checks, opt, OptionError, parseOptions, type OptionCheck, type ParsedOptions } from '@retrievals/core-tensor';
import type { LoraOptions } from '@retrievals/models';

const optionalPositiveInteger: OptionCheck = (v) => checks.positiveInteger(v);
const fraction: OptionCheck = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)');
const decay: OptionCheck = (v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'a number in (0, 1]');
const resume: OptionCheck = (v) => (typeof v === 'boolean' || (typeof v === 'string' && v.length > 0) ? undefined : 'true (the latest checkpoint in outputDir), false or a checkpoint folder');
const object: OptionCheck = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'an object of LoRA options (r, alpha, dropout, targetModules, …)');

/**
 * The training arguments, named as transformers' TrainingArguments (output_dir ↔ outputDir, …)
 * plus open-retrievals' (temperature, use_lora, train_group_size lives on the collator). Checked
 * with core-tensor's parseOptions: a misspelt or out-of-range argument fails naming it.
 */
export const TRAINING_ARGS = {
  outputDir: opt<string | undefined>(undefined, checks.nonEmptyString),
  overwriteOutputDir: opt(false, checks.boolean),
  numTrainEpochs: opt(3, checks.positive),
  /** Total optimizer steps; overrides numTrainEpochs (transformers' max_steps > 0). */
  maxSteps: opt<number | undefined>(undefined, optionalPositiveInteger),
  perDeviceTrainBatchSize: opt(8, checks.positiveInteger),
  perDeviceEvalBatchSize: opt(8, checks.positiveInteger),
  gradientAccumulationSteps: opt(1, checks.positiveInteger),
  learningRate: opt(5e-5, checks.positive),
  weightDecay: opt(0, checks.nonNegative),
  adamBeta1: opt(0.9, fraction),
  adamBeta2: opt(0.999, fraction),
  adamEpsilon: opt(1e-8, checks.positive),
  warmupRatio: opt(0, fraction),
  warmupSteps: opt(0, checks.nonNegativeInteger),
  lrSchedulerType: opt('linear', checks.nonEmptyString),
  /** The optimizers registry's name (transformers' optim): 'adamw' (adamw_torch) or 'sgd'. */
  optim: opt('adamw', checks.nonEmptyString),
  /** Clip the global gradient norm to this (transformers' default 1); 0 turns clipping off. */
  maxGradNorm: opt(1, checks.nonNegative),
  seed: opt(42, checks.nonNegativeInteger),
  loggingSteps: opt(10, checks.positiveInteger),
  /** Evaluate every n steps (and at the end) when evaluators or an evalDataset are given. */
  evalSteps: opt<number | undefined>(undefined, optionalPositiveInteger),
  saveSteps: opt<number | undefined>(undefined, optionalPositiveInteger),
  saveTotalLimit: opt<number | undefined>(undefined, optionalPositiveInteger),
  /** Multiply the learning rate of each layer below the top by this (ELECTRA/BEiT layer-wise decay); 1 = off. */
  layerwiseLrDecay: opt(1, decay),
  dataloaderDropLast: opt(false, checks.boolean),
  /** transformers' group_by_length: batches of texts of similar length. */
  groupByLength: opt(false, checks.boolean),
  /** sentence-transformers' batch_sampler: 'no_duplicates' keeps rows sharing a text out of one batch (in-batch negatives). */
  batchSampler: opt('batch_sampler', checks.oneOf('batch_sampler', 'no_duplicates')),
  /** The default loss's temperature when no loss is given (open-retrievals' temperature). */
  temperature: opt<number | undefined>(undefined, checks.positive),
  useLora: opt(false, checks.boolean),
  loraOptions: opt<LoraOptions>({ r: 8, alpha: 16, dropout: 0 }, object),
  /** Also save the merged model (base + adapter) in outputDir/merged at the end. */
  saveMergedModel: opt(false, checks.boolean),
  resumeFromCheckpoint: opt<boolean | string>(false, resume),
  /** On a NaN/Inf loss or gradient: 'stop' (default) names the step and rows; 'skip' undoes the step, counts it and goes on. */
  onNonFinite: opt('stop', checks.oneOf('stop', 'skip')),
  /** The core-tensor backend the steps run on (e.g. 'onednn'); default: the context's (withBackend, RETRIEVALS_BACKEND, 'ort'). */
  backend: opt<string | undefined>(undefined, checks.nonEmptyString),
  /**
   * 'bf16': bf16 matmuls with fp32 accumulation, master weights, norms, losses and optimizer (what
   * transformers' bf16=True means on a CPU), on the backend's bf16 sibling (`onednn` → `onednn-bf16`)
   * or any registered bf16 backend; 'fp32'; default: whatever the backend computes in.
   */
  precision: opt<'fp32' | 'bf16' | undefined>(undefined, checks.oneOf('fp32', 'bf16')),
  /** 'auto': a progress bar on a terminal, JSON lines otherwise; 'json'; 'none' (the log file is always written). */
  progress: opt('auto', checks.oneOf('auto', 'json', 'none')),
};

export type TrainingArguments = ParsedOptions<typeof TRAINING_ARGS> & { outputDir: string };
export type TrainingArgumentsInput = Partial<ParsedOptions<typeof TRAINING_ARGS>> & { outputDir: string };

const WHO = { kind: 'training', name: 'arguments' };

export function parseTrainingArgs(given: TrainingArgumentsInput): TrainingArguments {
  const a = parseOptions(WHO, given, TRAINING_ARGS);
  const fail = (option: string, message: string): never => {
    throw new OptionError(`training arguments: ${message}`, { ...WHO, option });
  };
  if (a.outputDir === undefined) fail('outputDir', "option 'outputDir' is required (checkpoints, the log and the final model go there)");
  if (a.warmupRatio > 0 && a.warmupSteps > 0) fail('warmupSteps', `give warmupRatio (${a.warmupRatio}) or warmupSteps (${a.warmupSteps}), not both`);
  if (a.saveTotalLimit !== undefined && a.saveSteps === undefined) fail('saveTotalLimit', "option 'saveTotalLimit' needs saveSteps (no checkpoint is written otherwise)");
  return a as TrainingArguments;
}
