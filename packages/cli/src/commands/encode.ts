import { extname } from 'node:path';
import { checkWritable, samePath, writeFileAtomic } from '@retrievals/core-tensor';
import { readTexts } from '@retrievals/data';
import { AutoModelForEmbedding, documentText, PRECISIONS, type CorpusDocument, type EmbeddingMatrix } from '@retrievals/models';
import { UsageError } from '../args.js';
import type { Flags } from '../flags.js';
import { writeNpy } from '../npy.js';

/** The seed's section-1 sentences: what `retrievals encode` embeds when given no texts. */
export const DEFAULT_TEXTS = [
  '* Moka 此文本嵌入模型由 MokaAI 训练并开源,训练脚本使用 uniem',
  '* Massive 此文本嵌入模型通过**千万级**的中文句对数据集进行训练',
  '* Mixed 此文本嵌入模型支持中英双语的同质文本相似度计算,异质文本检索等功能,未来还会支持代码检索,ALL in one',
];

/**
 * `retrievals encode --model_name_or_path DIR [--input F] [--output F.npy|F.jsonl] [texts...]`:
 * open-retrievals' AutoModelForEmbedding options as flags. Without --output it prints the shape
 * and, for a few texts, their cosine similarities.
 */
export async function encodeCommand(flags: Flags, positional: readonly string[], out: (line: string) => void): Promise<void> {
  const modelDir = flags.required('model_name_or_path');
  const input = flags.string('input');
  const output = flags.string('output');
  const kind = flags.choice('as', ['text', 'query', 'document'] as const) ?? 'text';
  const textField = flags.string('text_field');
  const precision = flags.choice('precision', PRECISIONS);
  const encodeOptions = { batchSize: flags.int('batch_size'), truncateDim: flags.int('truncate_dim'), precision, showProgress: !flags.bool('quiet') };
  if (output) {
    if (!['.npy', '.jsonl'].includes(extname(output))) throw new UsageError(`--output must end in .npy or .jsonl, got '${output}'`);
    if (input && samePath(input, output)) throw new UsageError(`--output ${output} is the --input file: writing it would destroy the texts; choose another path`);
    // Before loading the model and encoding: a bad output folder fails now, not after the work.
    checkWritable(output, '--output file');
  }
  const model = await AutoModelForEmbedding.fromPretrained(modelDir, {
    poolingMethod: flags.string('pooling_method'),
    normalize: flags.bool('normalize'),
    maxLength: flags.int('max_length'),
    queryInstruction: flags.string('query_instruction'),
    documentInstruction: flags.string('document_instruction'),
    useFp16: flags.bool('use_fp16'),
    runtime: flags.string('runtime'),
  });
  flags.rejectUnknown('encode');
  if (input && positional.length) throw new UsageError('encode: give texts either with --input or as arguments, not both');
  const docs: CorpusDocument[] = input ? await readTexts(input, { field: textField }) : positional.length ? [...positional] : DEFAULT_TEXTS;
  if (!input && !positional.length) out(`no --input: encoding the ${docs.length} example sentences of open-retrievals' quickstart`);
  try {
    const matrix =
      kind === 'query'
        ? await model.encodeQueries(docs.map((d) => documentText(d)), encodeOptions)
        : kind === 'document'
          ? await model.encodeCorpus(docs, encodeOptions)
          : await model.encode(docs.map((d) => documentText(d)), encodeOptions);
    out(`${model.runtime.name} runtime, pooling '${model.poolingMethod}'${model.normalize ? ', normalised' : ''}: ${matrix.rows} × ${matrix.cols} ${matrix.precision} embeddings`);
    if (output) {
      if (output.endsWith('.npy')) writeNpy(output, matrix);
      else writeFileAtomic(output, Array.from(matrix, (row) => `${JSON.stringify(Array.from(row))}\n`));
      out(`wrote ${output}`);
    } else if (matrix.rows <= 8 && matrix.precision === 'float32') {
      out('cosine similarities:');
      for (const row of cosineMatrix(matrix)) out('  ' + row.map((v) => v.toFixed(4).padStart(8)).join(''));
    }
  } finally {
    await model.dispose();
  }
}

function cosineMatrix(m: EmbeddingMatrix): number[][] {
  const rows = [...m].map((r) => {
    const norm = Math.hypot(...r) || 1;
    return Array.from(r, (v) => v / norm);
  });
  return rows.map((a) => rows.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
}
