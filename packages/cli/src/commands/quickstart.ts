import { CONFIG_FLAG, type CommandDef } from '../command.js';
import { QUICKSTART_DEFAULTS as D, runQuickstart } from '../quickstart/run.js';

/** `retrievals quickstart`: the whole loop on WordNet in a few minutes (see quickstart/run.ts). */
export const quickstart: CommandDef = {
  name: 'quickstart',
  summary: 'build a WordNet retrieval task, evaluate, fine-tune, mine hard negatives, fine-tune again, evaluate, encode (a few minutes on a CPU)',
  flags: [
    { name: 'output_dir', type: 'string', metavar: 'dir', default: 'quickstart-output', help: 'work folder: the task, models of each round, mined negatives, results.json' },
    { name: 'model_name_or_path', type: 'string', metavar: 'dir', help: 'start from this model folder instead of a small BERT built from scratch' },
    { name: 'max_synsets', type: 'int', min: 20, default: D.maxSynsets, help: 'WordNet synsets in the task (80/10/10 train/dev/test)' },
    { name: 'max_steps', type: 'int', min: 1, default: D.steps, help: 'steps of round 1 (in-batch negatives)' },
    { name: 'hn_steps', type: 'int', min: 1, default: D.hnSteps, help: 'steps of round 2 (mined hard negatives)' },
    { name: 'per_device_train_batch_size', type: 'int', min: 2, default: D.batchSize, help: 'queries per batch' },
    { name: 'learning_rate', type: 'number', min: 0, exclusive: true, default: D.learningRate, help: 'peak learning rate (from scratch wants a high one)' },
    { name: 'hn_learning_rate', type: 'number', min: 0, exclusive: true, help: "round 2's peak learning rate (default half of learning_rate: round 2 continues from round 1)" },
    { name: 'negative_number', type: 'int', min: 1, default: D.negativeNumber, help: 'mined negatives per query' },
    { name: 'range_for_sampling', type: 'range', default: D.rangeForSampling, help: 'ranks the negatives are drawn from' },
    { name: 'seed', type: 'int', min: 0, default: D.seed, help: 'seeds the task sample, the initial weights and training' },
    { name: 'quiet', type: 'bool', help: 'only the summary lines' },
    CONFIG_FLAG,
  ],
  async run(o, { out }) {
    await runQuickstart({
      outputDir: o.string('output_dir')!,
      modelNameOrPath: o.string('model_name_or_path'),
      maxSynsets: o.number('max_synsets'),
      steps: o.number('max_steps'),
      hnSteps: o.number('hn_steps'),
      batchSize: o.number('per_device_train_batch_size'),
      learningRate: o.number('learning_rate'),
      hnLearningRate: o.number('hn_learning_rate'),
      negativeNumber: o.number('negative_number'),
      rangeForSampling: o.range('range_for_sampling'),
      seed: o.number('seed'),
      progress: o.bool('quiet') ? 'none' : 'auto',
      log: out,
    });
  },
};
