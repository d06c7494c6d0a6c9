import type { Out } from '../command.js';
import type { FlagSpec } from '../flag-spec.js';
import type { Options } from '../options.js';
import { encodeShard, parseShard } from '@retrievals/hard-negatives';
import { loadModel } from './model-flags.js';

export interface ShardJob {
  input: string;
  output: string;
  shard: string;
  textField: string;
}

/** `encode --shard i/N`: one shard of a corpus through hard-negatives' encodeShard, to a .safetensors file build-hn --corpus_shards reads. */
export async function runShard(o: Options, flags: readonly FlagSpec[], job: ShardJob, out: Out): Promise<void> {
  parseShard(job.shard); // a malformed i/N fails before the model loads
  const model = await loadModel(o, flags);
  try {
    const r = await encodeShard({ model, inputFile: job.input, outputFile: job.output, shard: job.shard, documentInstruction: o.string('document_instruction'), batchSize: o.number('batch_size'), textKey: job.textField, normalize: o.given('normalize') ? o.bool('normalize') : undefined, showProgress: !o.bool('quiet') });
    out(`${r.reused ? 'kept (already complete)' : 'wrote'} ${r.file}: rows ${r.rowStart}–${r.rowEnd} of ${r.totalRows} (shard ${r.shard.index}/${r.shard.count})`);
  } finally {
    await model.dispose();
  }
}
