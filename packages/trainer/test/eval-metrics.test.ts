import { readFileSync } from 'node:fs';
import { EmbeddingMatrix, type AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { averageRanks, EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator, irMetricsFromScores, pearson, spearman } from '../src/index.js';

interface IrCase { name: string; scores: number[]; queries: number; docs: number; qrels: Record<string, number>[]; exclude: number[][]; ks: number[]; evaluated: number; metrics: Record<string, number> }
interface CorrCase { name: string; x: number[]; y: number[]; pearson: number; spearman: number }
// written by tools/torch-refs/make_ir_metric_refs.py (definitions in plain Python, correlations by scipy.stats)
const REFS = JSON.parse(readFileSync(new URL('./refs/eval_metrics.json', import.meta.url), 'utf8')) as { ir: IrCase[]; correlation: CorrCase[] };

describe('IR metrics against the Python reference', () => {
  it.each(REFS.ir)('$name', (c) => {
    const qids = Array.from({ length: c.queries }, (_, i) => `q${i}`), dids = Array.from({ length: c.docs }, (_, j) => `d${j}`);
    const qrels = Object.fromEntries(c.qrels.map((r, i) => [qids[i]!, Object.fromEntries(Object.entries(r).map(([j, g]) => [dids[Number(j)]!, g]))]));
    const r = irMetricsFromScores(c.scores, qids, dids, qrels, c.ks, (q) => new Set(c.exclude[q]));
    expect(r.queries).toBe(c.evaluated);
    expect(Object.keys(r.metrics).sort()).toEqual(Object.keys(c.metrics).sort());
    for (const [m, v] of Object.entries(c.metrics)) expect(r.metrics[m], m).toBeCloseTo(v, 12);
  });

  it('by hand: the ideal DCG counts relevant documents that were not retrieved', () => {
    // one query, relevant d2 (grade 1) at rank 1 and d0 (grade 3) ranked below k = 1
    const r = irMetricsFromScores([0.1, 0.0, 0.9], ['q'], ['d0', 'd1', 'd2'], { q: { d0: 3, d2: 1 } }, [1, 2]);
    expect(r.metrics['ndcg@1']).toBeCloseTo(1 / 3, 12);
    expect(r.metrics['ndcg@2']).toBeCloseTo((1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 12);
    expect(r.metrics['recall@1']).toBe(0.5);
    expect(r.metrics['map@2']).toBe(1);
    expect(() => irMetricsFromScores([1, 2], ['q'], ['d0'], {}, [1])).toThrow('irMetrics: 2 scores for 1 queries × 1 documents');
  });
});

describe('correlations against scipy.stats', () => {
  it.each(REFS.correlation)('$name', (c) => {
    expect(pearson(c.x, c.y)).toBeCloseTo(c.pearson, 12);
    expect(spearman(c.x, c.y)).toBeCloseTo(c.spearman, 12);
  });
  it('ties get their average rank', () => {
    expect(averageRanks([3, 1, 3, 2, 3])).toEqual([4, 1, 4, 2, 4]);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

/** A stand-in model whose embeddings are given per text: the evaluators only call encode / encodeQueries / encodeCorpus. */
function fakeModel(vectors: Record<string, number[]>): AutoModelForEmbedding {
  const encode = async (texts: readonly string[]) => {
    const dim = Object.values(vectors)[0]!.length;
    const data = new Float32Array(texts.length * dim);
    texts.forEach((t, i) => {
      const v = vectors[t];
      if (!v) throw new Error(`no vector for '${t}'`);
      const n = Math.hypot(...v);
      v.forEach((x, k) => (data[i * dim + k] = x / n));
    });
    return new EmbeddingMatrix(data, [texts.length, dim]);
  };
  return { encode, encodeQueries: encode, encodeCorpus: (docs: readonly (string | { text: string })[]) => encode(docs.map((d) => (typeof d === 'string' ? d : d.text))) } as unknown as AutoModelForEmbedding;
}

describe('evaluators', () => {
  const vectors = { 'red fruit': [1, 0, 0], apple: [0.9, 0.1, 0], 'a tree': [0, 1, 0], oak: [0.1, 0.9, 0.1], car: [0, 0, 1] };

  it('InformationRetrievalEvaluator ranks the corpus by cosine and averages the metrics over queries', async () => {
    const ev = new InformationRetrievalEvaluator({ queries: { q1: 'red fruit', q2: 'a tree' }, corpus: { d1: 'apple', d2: 'oak', d3: 'car' }, qrels: { q1: ['d1'], q2: { d2: 2, d3: 1 } }, ks: [1, 2] });
    const m = await ev.evaluate(fakeModel(vectors));
    expect(m['accuracy@1']).toBe(1);
    expect(m['recall@1']).toBe(0.75);
    expect(m['ndcg@2']).toBeCloseTo((1 + (2 + 0) / (2 + 1 / Math.log2(3))) / 2, 12); // q2: oak, then apple (car is not in the top 2)
    expect(m.queries).toBe(2);
    expect(() => new InformationRetrievalEvaluator({ queries: { q: 'x' }, corpus: { d: 'y' }, qrels: { q: ['nope'] } })).toThrow("qrels of query 'q' name document 'nope', which is not in the corpus");
  });

  it('ignoreIdenticalText drops the query itself from its ranking', async () => {
    const o = { queries: { q: 'apple' }, corpus: { self: 'apple', d: { title: '', text: 'red fruit' }, e: 'car' }, qrels: { q: ['d'] }, ks: [1] };
    expect((await new InformationRetrievalEvaluator(o).evaluate(fakeModel(vectors)))['mrr@1']).toBe(0);
    expect((await new InformationRetrievalEvaluator({ ...o, ignoreIdenticalText: true }).evaluate(fakeModel(vectors)))['mrr@1']).toBe(1);
  });

  it('EmbeddingSimilarityEvaluator: Pearson and Spearman of cosine against gold', async () => {
    const ev = new EmbeddingSimilarityEvaluator({ sentences1: ['red fruit', 'a tree', 'car'], sentences2: ['apple', 'oak', 'red fruit'], scores: [5, 4, 0] });
    const m = await ev.evaluate(fakeModel(vectors));
    expect(m.spearman_cosine).toBeCloseTo(1, 12);
    expect(m.pearson_cosine).toBeGreaterThan(0.9);
    expect(() => new EmbeddingSimilarityEvaluator({ sentences1: ['a'], sentences2: ['b', 'c'], scores: [1] })).toThrow('1 sentences1, 2 sentences2 and 1 scores');
  });
});
