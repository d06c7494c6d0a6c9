import { extname } from 'node:path';
import { checkWritable, samePath, writeFileAtomic, writeSafetensors } from '@retrievals/core-tensor';
import { readTexts } from '@retrievals/data';
import { documentText, PRECISIONS, type CorpusDocument, type EmbeddingMatrix } from '@retrievals/models';
import { CONFIG_FLAG, type CommandDef } from '../command.js';
import type { FlagSpec } from '../flag-spec.js';
import { writeNpy } from '../npy.js';
import { cosineMatrix } from '../similarity.js';
import { BATCH_SIZE, loadModel, MODEL_FLAGS } from './model-flags.js';
import { runShard } from './shard.js';

/** The seed's section-1 sentences: what `retrievals encode` embeds when given no texts. */
export const DEFAULT_TEXTS = [
  '* Moka 此文本嵌入模型由 MokaAI 训练并开源,训练脚本使用 uniem',
  '* Massive 此文本嵌入模型通过**千万级**的中文句对数据集进行训练',
  '* Mixed 此文本嵌入模型支持中英双语的同质文本相似度计算,异质文本检索等功能,未来还会支持代码检索,ALL in one',
];

const OUTPUT_TYPES = ['.npy', '.jsonl', '.safetensors'];

const FLAGS: readonly FlagSpec[] = [
  ...MODEL_FLAGS,
  { name: 'input', type: 'string', metavar: 'file', help: '.txt (one text per line), .jsonl (objects with --text_field, optional title) or .json (an array)' },
  { name: 'text_field', type: 'string', metavar: 'key', help: 'the field of .jsonl rows that holds the text', default: 'text' },
  { name: 'output', type: 'string', metavar: 'file', help: 'F.npy (NumPy), F.jsonl (one array per line) or F.safetensors (tensor "embeddings" [texts, dim]); without it the shape and similarities are printed' },
  { name: 'as', type: 'string', choices: ['text', 'query', 'document'], default: 'text', help: 'query → query instruction; document → "title text" + document instruction' },
  BATCH_SIZE,
  { name: 'truncate_dim', type: 'int', min: 1, help: 'keep the first n dimensions (Matryoshka)' },
  { name: 'precision', type: 'string', choices: PRECISIONS, default: 'float32', help: 'embedding precision' },
  { name: 'shard', type: 'string', metavar: 'i/N', help: "encode only shard i of N of --input's rows (0-based) to --output F.safetensors (ids and embeddings), for build-hn --corpus_shards" },
  { name: 'quiet', type: 'bool', help: 'no progress bar' },
  CONFIG_FLAG,
];

/**
 * `retrievals encode`: open-retrievals' AutoModelForEmbedding options as flags. Without --output it
 * prints the shape and, for a few texts, their cosine similarities.
 */
export const encode: CommandDef = {
  name: 'encode',
  summary: 'encode texts to embeddings (.npy, .jsonl or .safetensors)',
  args: '[texts...]',
  flags: FLAGS,
  async run(o, { out, positional }) {
    const input = o.string('input');
    const output = o.string('output');
    if (output) {
      if (!OUTPUT_TYPES.includes(extname(output))) throw o.usageError(`--output must end in ${OUTPUT_TYPES.join(', ')}, got '${output}'`);
      if (input && samePath(input, output)) throw o.usageError(`--output ${output} is the --input file: writing it would destroy the texts; choose another path`);
      // Before loading the model and encoding: a bad output folder fails now, not after the work.
      checkWritable(output, '--output file');
    }
    if (input && positional.length) throw o.usageError('give texts either with --input or as arguments, not both');
    if (o.given('shard')) {
      if (!input || !output?.endsWith('.safetensors')) throw o.usageError('--shard needs --input (the corpus) and --output F.safetensors');
      // A shard is float32 document embeddings at the model's full dimension (what build-hn --corpus_shards reads).
      const ignored = [
        o.given('truncate_dim') && '--truncate_dim',
        o.string('precision') !== 'float32' && `--precision ${o.string('precision')}`,
        !['text', 'document'].includes(o.string('as')!) && `--as ${o.string('as')}`,
      ].filter((f): f is string => typeof f === 'string');
      if (ignored.length) throw o.usageError(`--shard writes full-dimension float32 document embeddings; ${ignored.join(', ')} cannot be used with it`);
      await runShard(o, FLAGS, { input, output, shard: o.required('shard'), textField: o.string('text_field')! }, out);
      return;
    }
    const model = await loadModel(o, FLAGS);
    try {
      const docs: CorpusDocument[] = input ? await readTexts(input, { field: o.string('text_field') }) : positional.length ? [...positional] : DEFAULT_TEXTS;
      if (!input && !positional.length) out(`no --input: encoding the ${docs.length} example sentences of open-retrievals' quickstart`);
      const encodeOptions = { batchSize: o.number('batch_size'), truncateDim: o.number('truncate_dim'), precision: o.string('precision') as (typeof PRECISIONS)[number], showProgress: !o.bool('quiet') };
      const kind = o.string('as');
      const matrix =
        kind === 'query'
          ? await model.encodeQueries(docs.map((d) => documentText(d)), encodeOptions)
          : kind === 'document'
            ? await model.encodeCorpus(docs, encodeOptions)
            : await model.encode(docs.map((d) => documentText(d)), encodeOptions);
      out(`${model.runtime.name} runtime, pooling '${model.poolingMethod}'${model.normalize ? ', normalised' : ''}: ${matrix.rows} × ${matrix.cols} ${matrix.precision} embeddings`);
      if (output) {
        writeMatrix(output, matrix);
        out(`wrote ${output}`);
      } else if (matrix.rows <= 8 && matrix.precision === 'float32') {
        out('cosine similarities:');
        for (const row of cosineMatrix(matrix)) out('  ' + row.map((v) => v.toFixed(4).padStart(8)).join(''));
      }
    } finally {
      await model.dispose();
    }
  },
};

const SAFETENSORS_DTYPE = { Float32Array: 'float32', Int8Array: 'int8', Uint8Array: 'uint8' } as const;

/** One atomic write in the format the extension names. */
function writeMatrix(output: string, matrix: EmbeddingMatrix): void {
  if (output.endsWith('.npy')) writeNpy(output, matrix);
  else if (output.endsWith('.safetensors')) {
    const dtype = SAFETENSORS_DTYPE[matrix.data.constructor.name as keyof typeof SAFETENSORS_DTYPE];
    writeSafetensors(output, { embeddings: { dtype, shape: [matrix.rows, matrix.cols], data: matrix.data } }, { precision: matrix.precision });
  } else writeFileAtomic(output, Array.from(matrix, (row) => `${JSON.stringify(Array.from(row))}\n`));
}
