import { RetrievalsError } from '@retrievals/core-tensor';
import { documentText, type AutoModelForEmbedding, type CorpusDocument, type EmbeddingMatrix } from '@retrievals/models';
import type { TrainerCallback } from '../callbacks.js';
import { irMetricsFromScores, type Qrels } from './ir-metrics.js';

export interface InformationRetrievalEvaluatorOptions {
  /** Query id → text. */
  queries: Record<string, string>;
  /** Document id → text or { title, text }. */
  corpus: Record<string, CorpusDocument>;
  /** Query id → { document id: grade } (grade > 0 relevant) or a list of relevant ids. */
  qrels: Qrels;
  /** The cut-offs of every metric (default 1, 3, 5, 10). */
  ks?: readonly number[];
  /** Leave out of a query's ranking the corpus documents whose text is the query's own text (e.g. a corpus that contains the queries). */
  ignoreIdenticalText?: boolean;
  /** cosine (default) or dot product of the embeddings. */
  scoreFunction?: 'cosine' | 'dot';
  batchSize?: number;
  /** Prefix of the metric names in a trainer's log (default 'ir'). */
  name?: string;
}

/**
 * sentence-transformers' InformationRetrievalEvaluator: embeds queries (through the model's query
 * instruction) and the corpus (document instruction), ranks the corpus for each query by cosine
 * and reports accuracy / precision / recall / MRR / nDCG / MAP at each k (see rankingMetrics).
 * Standalone (`await ev.evaluate(model)`) or as a trainer callback (every evalSteps, and at the end).
 */
export class InformationRetrievalEvaluator implements TrainerCallback {
  readonly name: string;
  readonly ks: readonly number[];
  private readonly queryIds: string[];
  private readonly docIds: string[];

  constructor(readonly options: InformationRetrievalEvaluatorOptions) {
    this.name = options.name ?? 'ir';
    this.ks = options.ks ?? [1, 3, 5, 10];
    this.queryIds = Object.keys(options.queries);
    this.docIds = Object.keys(options.corpus);
    if (!this.queryIds.length || !this.docIds.length) throw new RetrievalsError(`InformationRetrievalEvaluator: ${this.queryIds.length} queries and ${this.docIds.length} documents; both must be non-empty`);
    const known = new Set(this.docIds);
    for (const [qid, judged] of Object.entries(options.qrels)) {
      const ids = Array.isArray(judged) ? judged : Object.keys(judged as Record<string, number>);
      const unknown = ids.find((d) => !known.has(d));
      if (unknown !== undefined) throw new RetrievalsError(`InformationRetrievalEvaluator: qrels of query '${qid}' name document '${unknown}', which is not in the corpus`);
    }
  }

  /** The metrics (`ndcg@10`, …) and how many queries were evaluated (those with a relevant document). */
  async evaluate(model: AutoModelForEmbedding): Promise<Record<string, number>> {
    const o = this.options;
    const normalize = (o.scoreFunction ?? 'cosine') === 'cosine';
    const q = await model.encodeQueries(this.queryIds.map((id) => o.queries[id]!), { batchSize: o.batchSize, normalize });
    const d = await model.encodeCorpus(this.docIds.map((id) => o.corpus[id]!), { batchSize: o.batchSize, normalize });
    const scores = scoreMatrix(q, d);
    let exclude: ((qi: number) => ReadonlySet<number> | undefined) | undefined;
    if (o.ignoreIdenticalText) {
      const byText = new Map<string, number[]>();
      this.docIds.forEach((id, j) => {
        const t = documentText(o.corpus[id]!);
        byText.set(t, [...(byText.get(t) ?? []), j]);
      });
      exclude = (qi) => new Set(byText.get(o.queries[this.queryIds[qi]!]!) ?? []);
    }
    const r = irMetricsFromScores(scores, this.queryIds, this.docIds, o.qrels, this.ks, exclude);
    return { ...r.metrics, queries: r.queries };
  }
}

/** Q × D dot products of two row-major embedding matrices. */
export function scoreMatrix(q: EmbeddingMatrix, d: EmbeddingMatrix): Float64Array {
  const [nq, dim] = q.dims, nd = d.dims[0];
  if (d.dims[1] !== dim) throw new RetrievalsError(`scoreMatrix: query dim ${dim}, document dim ${d.dims[1]}`);
  const a = q.data as Float32Array, b = d.data as Float32Array;
  const out = new Float64Array(nq * nd);
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nd; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += a[i * dim + k]! * b[j * dim + k]!;
      out[i * nd + j] = s;
    }
  }
  return out;
}
