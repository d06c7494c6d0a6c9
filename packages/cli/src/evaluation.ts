import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DataError, loadBeir, loadBeirFiles, loadDataset, readRecords, type BeirDataset, type GroupExample, type PairExample, type ScoredPairExample } from '@retrievals/data';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator } from '@retrievals/trainer';
import type { Options } from './options.js';

/** An evaluator with the name its metrics are printed under. */
export type Evaluator = InformationRetrievalEvaluator | EmbeddingSimilarityEvaluator;

const BEIR_FILE_FLAGS = ['queries', 'corpus', 'qrels'] as const;

/** Whether the flags ask for IR (--eval_data, or --queries/--corpus/--qrels) or STS (--eval_sts) evaluation. */
export const asksForEvaluation = (o: Options): boolean => ['eval_data', 'eval_sts', ...BEIR_FILE_FLAGS].some((f) => o.given(f));

/** The IR set the flags name: a folder or rows (--eval_data), or BEIR's three files (--queries, --corpus, --qrels, all or none). */
async function irSetOf(o: Options): Promise<BeirDataset | undefined> {
  const given = BEIR_FILE_FLAGS.filter((f) => o.given(f));
  const data = o.string('eval_data');
  if (given.length && data !== undefined) throw o.usageError(`give --eval_data or --queries/--corpus/--qrels, not both (got --eval_data and --${given.join(', --')})`);
  if (given.length && given.length < 3) throw o.usageError(`--queries, --corpus and --qrels go together; missing --${BEIR_FILE_FLAGS.filter((f) => !o.given(f)).join(', --')}`);
  if (given.length) return loadBeirFiles({ queries: o.required('queries'), corpus: o.required('corpus'), qrels: o.required('qrels') });
  return data === undefined ? undefined : readIrData(data, o.string('eval_split'));
}

/** The evaluators the eval flags ask for (IR on --eval_data or --queries/--corpus/--qrels, STS on --eval_sts), data read and checked now. */
export async function evaluatorsOf(o: Options, batchSize?: number): Promise<Evaluator[]> {
  const out: Evaluator[] = [];
  const set = await irSetOf(o);
  if (set) {
    const ks = o.list('k')!.map((k) => {
      if (!/^\d+$/.test(k) || Number(k) < 1) throw o.usageError(`--k must list integers ≥ 1, got '${k}'`);
      return Number(k);
    });
    out.push(new InformationRetrievalEvaluator({ ...set, ks, batchSize, scoreFunction: o.string('score_function') as 'cosine' | 'dot', name: 'ir' }));
  }
  const sts = o.string('eval_sts');
  if (sts !== undefined) out.push(new EmbeddingSimilarityEvaluator({ ...(await readSts(sts)), batchSize, name: 'sts' }));
  return out;
}

/** Every evaluator's metrics, prefixed with its name (`ir_ndcg@10`, `sts_spearman_cosine`). */
export async function evaluateAll(model: AutoModelForEmbedding, evaluators: readonly Evaluator[]): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const ev of evaluators) for (const [k, v] of Object.entries(await ev.evaluate(model))) metrics[`${ev.name}_${k}`] = v;
  return metrics;
}

/** A BEIR folder, or a .jsonl of query/positive(/negative) rows turned into queries, a deduplicated corpus and qrels. */
export async function readIrData(path: string, split?: string): Promise<BeirDataset> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new DataError(`${path}: no such file or folder (--eval_data)`);
  if (info.isDirectory()) return loadBeir(path, { split });
  const rows = await loadDataset<PairExample | GroupExample>(path);
  if (rows.format.name !== 'pair' && rows.format.name !== 'triplet') throw new DataError(`${path}: --eval_data rows must be query/positive pairs or triplets, got format '${rows.format.name}'`);
  const queries: Record<string, string> = {}, corpus: Record<string, string> = {}, qrels: Record<string, Record<string, number>> = {};
  const ids = new Map<string, string>();
  const idOf = (text: string) => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = `d${ids.size}`)), (corpus[id] = text);
    return id;
  };
  // One query id per distinct query text: rows repeating a query add their positives to its qrels.
  const qids = new Map<string, string>();
  for (const ex of rows.examples) {
    let qid = qids.get(ex.query);
    if (qid === undefined) qids.set(ex.query, (qid = `q${qids.size}`)), (queries[qid] = ex.query), (qrels[qid] = {});
    const positives = Array.isArray(ex.positive) ? ex.positive : [ex.positive];
    for (const p of positives) qrels[qid]![idOf(p)] = 1;
    for (const n of 'negative' in ex ? ex.negative : []) idOf(n);
  }
  return { queries, corpus, qrels };
}

const STS_COLUMNS = ['sentence1', 'sentence2', 'score'];

/** STS pairs: CSV/TSV columns sentence1, sentence2, score (STS-B has no header row; one is skipped if the first score is not a number), or JSON lines with those keys (or text1/text2). */
export async function readSts(file: string): Promise<{ sentences1: string[]; sentences2: string[]; scores: number[] }> {
  const type = extname(file).toLowerCase();
  let examples: ScoredPairExample[];
  if (type === '.csv' || type === '.tsv') {
    let header = false;
    for await (const item of readRecords(file, { columns: STS_COLUMNS, header: false })) {
      header = item.record !== undefined && !/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(String(item.record.score));
      break;
    }
    examples = (await loadDataset<ScoredPairExample>(file, { format: 'scored-pair', columns: STS_COLUMNS, header, text1Key: 'sentence1', text2Key: 'sentence2', scoreKey: 'score' })).examples;
  } else {
    const rows = await loadDataset<ScoredPairExample>(file);
    if (rows.format.name !== 'scored-pair') throw new DataError(`${file}: --eval_sts rows must be {sentence1, sentence2, score} or {text1, text2, score}, got format '${rows.format.name}'`);
    examples = rows.examples;
  }
  return { sentences1: examples.map((e) => e.text1), sentences2: examples.map((e) => e.text2), scores: examples.map((e) => e.score) };
}
