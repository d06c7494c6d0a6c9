import { checkWritable, samePath, writeFileAtomic } from '@retrievals/core-tensor';
import { CONFIG_FLAG, type CommandDef } from '../command.js';
import { asksForEvaluation, evaluateAll, evaluatorsOf } from '../evaluation.js';
import type { FlagSpec } from '../flag-spec.js';
import { metricsTable } from '../table.js';
import { EVAL_FLAGS } from './eval-flags.js';
import { BATCH_SIZE, loadModel, MODEL_FLAGS } from './model-flags.js';

const FLAGS: readonly FlagSpec[] = [
  ...MODEL_FLAGS,
  ...EVAL_FLAGS,
  BATCH_SIZE,
  { name: 'output', type: 'string', metavar: 'file.json', help: 'also write the metrics as JSON' },
  CONFIG_FLAG,
];

/**
 * `retrievals eval`: sentence-transformers' evaluators from the command line. IR (nDCG, MRR,
 * recall, MAP, precision and accuracy at each k) on a BEIR folder, BEIR's three files named one by
 * one, or query/positive rows, and STS
 * (Spearman and Pearson of cosine) on scored pairs; a table, and JSON with --output.
 */
export const evaluate: CommandDef = {
  name: 'eval',
  summary: 'evaluate a model: IR metrics (nDCG@k, MRR@k, recall@k, MAP@k, precision@k) and STS correlation',
  flags: FLAGS,
  async run(o, { out }) {
    if (!asksForEvaluation(o)) throw o.usageError('give --eval_data or --queries/--corpus/--qrels (IR) and/or --eval_sts (STS)');
    const output = o.string('output');
    if (output) {
      for (const flag of ['eval_data', 'queries', 'corpus', 'qrels', 'eval_sts']) {
        const input = o.string(flag);
        if (input !== undefined && samePath(input, output)) throw o.usageError(`--output ${output} is the --${flag} file: writing it would destroy the data; choose another path`);
      }
      checkWritable(output, '--output file');
    }
    const evaluators = await evaluatorsOf(o, o.number('batch_size'));
    const model = await loadModel(o, FLAGS);
    try {
      const metrics = await evaluateAll(model, evaluators);
      for (const line of metricsTable([o.required('model_name_or_path')], [metrics])) out(line);
      if (output) {
        writeFileAtomic(output, `${JSON.stringify({ model: o.string('model_name_or_path'), eval_data: o.string('eval_data') ?? null, ...(o.given('queries') ? { queries: o.string('queries'), corpus: o.string('corpus'), qrels: o.string('qrels') } : {}), eval_sts: o.string('eval_sts') ?? null, metrics }, null, 2)}\n`);
        out(`wrote ${output}`);
      }
    } finally {
      await model.dispose();
    }
  },
};
