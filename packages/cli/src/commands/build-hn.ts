import { checkWritable } from '@retrievals/core-tensor';
import { buildHardNegatives, checkMiningPaths, formatHardNegativesReport, indexes, type OutputFormat } from '@retrievals/hard-negatives';
import type { CommandDef } from '../command.js';
import { BUILD_HN_FLAGS } from './build-hn-flags.js';
import { loadModel, MODEL_FLAGS } from './model-flags.js';

/** `retrievals build-hn`: open-retrievals' `python -m retrievals.pipelines.build_hn` on @retrievals/hard-negatives' miner. */
export const buildHn: CommandDef = {
  name: 'build-hn',
  summary: 'mine hard negatives for training rows (open-retrievals pipelines.build_hn)',
  flags: BUILD_HN_FLAGS,
  epilog: [
    "Example (the seed's script, python -m retrievals.pipelines.build_hn → retrievals build-hn):",
    '  retrievals build-hn --model_name_or_path DIR --input_file t2_ranking.jsonl --output_file t2_ranking_hn.jsonl \\',
    '    --positive_key positive --negative_key negative --range_for_sampling 2-200 --negative_number 15',
  ].join('\n'),
  async run(o, { out }) {
    const input = o.required('input_file');
    const output = o.required('output_file');
    const pool = o.string('candidate_pool');
    // Before the model loads and the corpus is encoded: an output that is an input, a bad output
    // path or index name fails now.
    checkMiningPaths({ inputFile: input, outputFile: output, candidatePool: pool, indexFile: o.string('index_file'), corpusShards: o.list('corpus_shards') });
    checkWritable(output, '--output_file');
    const index = o.component('index')!;
    indexes.get(typeof index === 'string' ? index : index.name);
    // Instruction flags go to the miner, which puts them in place of the model folder's own templates.
    const model = await loadModel(o, MODEL_FLAGS.filter((f) => !f.name.endsWith('_instruction')));
    try {
      const report = await buildHardNegatives({
        model,
        inputFile: input,
        outputFile: output,
        candidatePool: pool,
        textKey: o.string('text_key'),
        queryKey: o.string('query_key'),
        positiveKey: o.string('positive_key'),
        negativeKey: o.string('negative_key'),
        rangeForSampling: o.range('range_for_sampling'),
        negativeNumber: o.number('negative_number'),
        searchDepth: o.number('search_depth'),
        queryInstruction: o.string('query_instruction'),
        documentInstruction: o.string('document_instruction'),
        index,
        indexFile: o.string('index_file'),
        batchSize: o.number('batch_size'),
        normalize: o.given('normalize') ? o.bool('normalize') : undefined,
        seed: o.number('seed'),
        maxScore: o.number('max_score'),
        minScore: o.number('min_score'),
        absoluteMargin: o.number('absolute_margin'),
        relativeMargin: o.number('relative_margin'),
        samplingStrategy: o.string('sampling_strategy') as 'random' | 'top',
        outputFormat: o.string('output_format') as OutputFormat,
        outputScores: o.bool('output_scores'),
        negativesMode: o.string('negatives_mode') as 'replace' | 'append',
        corpusShards: o.list('corpus_shards'),
        showProgress: !o.bool('quiet'),
        log: out,
      });
      for (const line of formatHardNegativesReport(report)) out(line);
    } finally {
      await model.dispose();
    }
  },
};
