import { join } from 'node:path';
import { writeFileAtomic } from '@retrievals/core-tensor';
import { loadBeir, loadDataset, readRecords, RetrievalCollator, type Collator } from '@retrievals/data';
import { losses } from '@retrievals/losses';
import { AutoModelForEmbedding, documentText, initializeModelFolder, type CorpusDocument } from '@retrievals/models';
import { InformationRetrievalEvaluator, RetrievalTrainer, type TrainerCallback } from '@retrievals/trainer';
import type { Out } from '../command.js';
import { formatTable } from '../table.js';
import { mineHardNegatives } from './mine.js';
import { buildWordnetTask, type BuildCounts } from './task.js';
import { wordPieceVocab, writeWordPieceTokenizer } from './tokenizer.js';

export interface QuickstartOptions {
  /** Everything is written under here: task/, tokenizer/, round-0/ … round-2/, train-hn.jsonl, results.json. */
  outputDir: string;
  /** A model folder to start from; default a small BERT built from scratch with a vocabulary of the task's training texts. */
  modelNameOrPath?: string;
  /** Synsets sampled from WordNet's 29,975 usable ones (80 % train, 10 % dev, 10 % test). */
  maxSynsets?: number;
  /** Optimizer steps of round 1 (in-batch negatives) and round 2 (mined hard negatives). */
  steps?: number;
  hnSteps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Round 2's peak learning rate (default half of learningRate: it continues from round 1's weights). */
  hnLearningRate?: number;
  /** Mined negatives per query (round 2's train group is 1 + this). */
  negativeNumber?: number;
  rangeForSampling?: [number, number];
  seed?: number;
  /** Overrides of the from-scratch BERT's config.json (`hidden_size`, `num_hidden_layers`, ...) and its WordPiece vocabulary size: a smaller model for a quicker run (tests). */
  scratchConfig?: Partial<typeof SCRATCH_CONFIG>;
  vocabSize?: number;
  /** Max tokens of queries and documents (default 32, 48); one bucket each (e.g. 16, 16) compiles one training graph per round. */
  maxLengths?: [number, number];
  /** A bar on a terminal, plain lines otherwise (auto); or only the summary (none). */
  progress?: 'auto' | 'none';
  log?: Out;
}

export interface QuickstartResult {
  task: BuildCounts;
  /** Dev metrics after each round: 0 = the starting model, 1 = in-batch negatives, 2 = mined hard negatives. */
  rounds: { name: string; dev: Record<string, number>; test: Record<string, number>; seconds: number }[];
  seconds: number;
}

/** The defaults of a run (the quickstart command's flags show these). */
export const QUICKSTART_DEFAULTS = { maxSynsets: 6000, steps: 300, hnSteps: 100, batchSize: 32, learningRate: 2e-3, negativeNumber: 3, rangeForSampling: [2, 30] as [number, number], seed: 42 };

/** The from-scratch encoder: MiniLM's layout at a size two CPU cores train in a minute. */
const SCRATCH_CONFIG = {
  architectures: ['BertModel'], model_type: 'bert', hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 512,
  max_position_embeddings: 128, type_vocab_size: 2, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
  layer_norm_eps: 1e-12, initializer_range: 0.02, pad_token_id: 0,
};
const VOCAB_SIZE = 8192;
const MAX_LENGTHS: [number, number] = [32, 48];

/**
 * open-retrievals' loop on real English, end to end on a CPU: build the WordNet reverse-dictionary
 * task (definition → synset card), evaluate a model, fine-tune it with in-batch negatives, mine
 * hard negatives for the training queries with the fine-tuned model, fine-tune again on the mined
 * file, evaluate again, and encode a few sentences. Returns dev/test metrics per round.
 */
export async function runQuickstart(o: QuickstartOptions): Promise<QuickstartResult> {
  const log = o.log ?? console.log;
  const started = performance.now();
  const d = QUICKSTART_DEFAULTS;
  const seed = o.seed ?? d.seed;
  const dir = o.outputDir;
  const taskDir = join(dir, 'task');
  const task = await buildWordnetTask({ outDir: taskDir, maxSynsets: o.maxSynsets ?? d.maxSynsets, seed });
  log(`task: ${task.kept} WordNet synsets → train ${task.splits.train.queries} pairs, dev ${task.splits.dev.queries} and test ${task.splits.test.queries} queries (${taskDir})`);
  const start = o.modelNameOrPath ?? (await scratchModel(dir, taskDir, seed, { ...SCRATCH_CONFIG, ...o.scratchConfig }, o.vocabSize ?? VOCAB_SIZE));
  const model = await AutoModelForEmbedding.fromPretrained(start, { poolingMethod: 'mean', queryInstruction: '', documentInstruction: '' });
  const ks = [1, 10];
  const devSet = await loadBeir(join(taskDir, 'dev'));
  const dev = new InformationRetrievalEvaluator({ ...devSet, ks, name: 'dev' });
  const test = new InformationRetrievalEvaluator({ ...(await loadBeir(join(taskDir, 'test'))), ks, name: 'test' });
  const rounds: QuickstartResult['rounds'] = [];
  const evaluate = async (name: string, t0: number) => {
    const r = { name, dev: await dev.evaluate(model), test: await test.evaluate(model), seconds: (performance.now() - t0) / 1000 };
    rounds.push(r);
    log(`${name}: dev nDCG@10 ${r.dev['ndcg@10']!.toFixed(4)}, MRR@10 ${r.dev['mrr@10']!.toFixed(4)}, recall@10 ${r.dev['recall@10']!.toFixed(4)}`);
  };
  try {
    await evaluate(`round 0 (${o.modelNameOrPath ? 'the given model' : 'from scratch'})`, performance.now());
    let t0 = performance.now();
    const train = join(taskDir, 'train.jsonl');
    await trainRound(model, { ...o, seed, data: train, outputDir: join(dir, 'round-1'), steps: o.steps ?? d.steps, groupSize: 1, log, label: 'round 1' });
    await evaluate('round 1 (in-batch negatives)', t0);
    t0 = performance.now();
    const mined = join(dir, 'train-hn.jsonl');
    const report = await mineHardNegatives({ model, inputFile: train, outputFile: mined, negativeNumber: o.negativeNumber ?? d.negativeNumber, rangeForSampling: o.rangeForSampling ?? d.rangeForSampling, seed, showProgress: o.progress !== 'none' && process.stderr.isTTY === true });
    for (const line of report) log(`mined: ${line}`);
    await trainRound(model, { ...o, seed, data: mined, outputDir: join(dir, 'round-2'), steps: o.hnSteps ?? d.hnSteps, groupSize: 1 + (o.negativeNumber ?? d.negativeNumber), learningRate: o.hnLearningRate ?? (o.learningRate ?? d.learningRate) / 2, log, label: 'round 2' });
    await evaluate('round 2 (mined hard negatives)', t0);
    const table = formatTable(
      ['round', 'dev nDCG@10', 'dev MRR@10', 'dev recall@10', 'test nDCG@10', 'seconds'],
      rounds.map((r) => [r.name, r.dev['ndcg@10'], r.dev['mrr@10'], r.dev['recall@10'], r.test['ndcg@10'], r.seconds.toFixed(0)]),
    );
    for (const line of table) log(line);
    await showSimilarities(model, devSet, log);
  } finally {
    await model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ task, rounds, seconds }, null, 2)}\n`);
  log(`done in ${seconds.toFixed(0)} s; the round-2 model is ${join(dir, 'round-2')} (retrievals encode --model_name_or_path ${join(dir, 'round-2')} "some text")`);
  return { task, rounds, seconds };
}

/** A small BERT initialised from scratch, with a WordPiece vocabulary of the training split's words (dev and test texts are not looked at). */
async function scratchModel(dir: string, taskDir: string, seed: number, config: typeof SCRATCH_CONFIG, vocabSize: number): Promise<string> {
  const texts: string[] = [];
  for await (const item of readRecords(join(taskDir, 'train.jsonl'))) if (item.record) texts.push(String(item.record.query), String(item.record.positive));
  const vocab = wordPieceVocab(texts, vocabSize);
  const tokenizer = writeWordPieceTokenizer(join(dir, 'tokenizer'), vocab, config.max_position_embeddings);
  return initializeModelFolder(join(dir, 'round-0'), { config: { ...config, vocab_size: vocab.length }, tokenizerFrom: tokenizer, seed });
}

interface RoundOptions extends QuickstartOptions {
  data: string;
  outputDir: string;
  steps: number;
  seed: number;
  /** 1: pairs with in-batch negatives; G > 1: 1 positive + G−1 mined negatives per query, plus in-batch. */
  groupSize: number;
  log: Out;
  label: string;
}

async function trainRound(model: AutoModelForEmbedding, o: RoundOptions): Promise<void> {
  const data = await loadDataset(o.data);
  const keys = o.groupSize > 1 ? ['query', 'positive', 'negative'] : ['query', 'positive'];
  const collator = new RetrievalCollator(model, { keys, maxLengths: keys.map((_, i) => (o.maxLengths ?? MAX_LENGTHS)[Math.min(i, 1)]!), trainGroupSize: o.groupSize > 1 ? o.groupSize : undefined, queryInstruction: '', documentInstruction: '' });
  const tty = o.progress !== 'none' && process.stderr.isTTY === true;
  const every = Math.max(1, Math.round(o.steps / 5));
  const lines: TrainerCallback = {
    name: 'progress',
    onStepEnd: (p) => void (p.step % every === 0 && o.progress !== 'none' && o.log(`${o.label}: step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`)),
  };
  const trainer = new RetrievalTrainer({
    model,
    args: {
      outputDir: o.outputDir, overwriteOutputDir: true, maxSteps: o.steps, perDeviceTrainBatchSize: o.batchSize ?? QUICKSTART_DEFAULTS.batchSize, learningRate: o.learningRate ?? QUICKSTART_DEFAULTS.learningRate,
      warmupRatio: 0.1, seed: o.seed, loggingSteps: Math.max(1, Math.floor(o.steps / 4)), dataloaderDropLast: true, progress: tty ? 'auto' : 'none',
    },
    trainDataset: data,
    dataCollator: collator as Collator<Record<string, unknown>>,
    loss: losses.create({ name: 'infonce', temperature: 0.05 }),
    callbacks: tty ? [] : [lines],
  });
  o.log(`${o.label}: ${o.steps} steps of ${o.groupSize > 1 ? `1 positive + ${o.groupSize - 1} mined negatives` : 'query/positive pairs'} (batch ${o.batchSize ?? QUICKSTART_DEFAULTS.batchSize}, in-batch negatives) → ${o.outputDir}`);
  await trainer.train();
}

/** Four dev queries (definitions) against their four cards: a trained model scores the diagonal highest. */
async function showSimilarities(model: AutoModelForEmbedding, dev: { queries: Record<string, string>; corpus: Record<string, CorpusDocument>; qrels: Record<string, Record<string, number>> }, log: Out): Promise<void> {
  const qids = Object.keys(dev.queries).slice(0, 4);
  const docs = qids.map((q) => dev.corpus[Object.keys(dev.qrels[q]!)[0]!]!);
  const q = await model.encodeQueries(qids.map((id) => dev.queries[id]!), { normalize: true });
  const d = await model.encodeCorpus(docs, { normalize: true });
  const dim = q.cols;
  const cos = (i: number, j: number) => Array.from({ length: dim }, (_, k) => q.data[i * dim + k]! * d.data[j * dim + k]!).reduce((a, b) => a + b, 0);
  const short = (t: string) => (t.length > 44 ? `${t.slice(0, 43)}…` : t);
  log('cosine similarities of four dev definitions (rows) with their synsets\' cards (columns [0]..[3]), round-2 model:');
  for (const [i, doc] of docs.entries()) log(`  [${i}] ${short(documentText(doc))}`);
  for (const line of formatTable(['definition', ...docs.map((_, j) => `[${j}]`)], qids.map((id, i) => [short(dev.queries[id]!), ...docs.map((_, j) => cos(i, j))]))) log(`  ${line}`);
}
