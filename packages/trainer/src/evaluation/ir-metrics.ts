import { RetrievalsError } from '@retrievals/core-tensor';

/** Relevance judgements: per query id, relevant document ids with their grade (> 0 relevant), or a list of relevant ids (grade 1). */
export type Qrels = Record<string, Record<string, number> | readonly string[]>;

/** Metrics by name `<metric>@<k>`, each the mean over the evaluated queries. */
export type IrScores = Record<string, number>;

export function gradesOf(judged: Record<string, number> | readonly string[] | undefined): Map<string, number> {
  if (!judged) return new Map();
  const entries: [string, number][] = Array.isArray(judged) ? judged.map((d) => [d, 1]) : Object.entries(judged as Record<string, number>);
  return new Map(entries.filter(([, g]) => g > 0));
}

/**
 * The IR metrics of one ranked list against one query's graded judgements (grade > 0 relevant):
 * - accuracy@k: 1 if a relevant document is in the top k;
 * - precision@k: relevant in the top k / k; recall@k: relevant in the top k / all relevant;
 * - MRR@k: 1 / rank of the first relevant document within the top k, else 0;
 * - nDCG@k: Σ_{i ≤ k} grade_i / log2(i + 1) over the ranking, divided by the same sum over the
 *   ideal ranking of ALL the query's relevant documents (not only those retrieved), as pytrec_eval
 *   and BEIR compute it;
 * - MAP@k: Σ precision@i at each relevant rank i ≤ k, / min(k, relevant), as sentence-transformers'.
 */
export function rankingMetrics(ranked: readonly string[], grades: ReadonlyMap<string, number>, ks: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const relevant = grades.size;
  const ideal = [...grades.values()].sort((a, b) => b - a);
  for (const k of ks) {
    const top = ranked.slice(0, k);
    let hits = 0, firstHit = 0, dcg = 0, ap = 0;
    top.forEach((d, i) => {
      const g = grades.get(d) ?? 0;
      if (g <= 0) return;
      hits++;
      if (!firstHit) firstHit = i + 1;
      dcg += g / Math.log2(i + 2);
      ap += hits / (i + 1);
    });
    const idcg = ideal.slice(0, k).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
    out[`accuracy@${k}`] = hits > 0 ? 1 : 0;
    out[`precision@${k}`] = hits / k;
    out[`recall@${k}`] = relevant ? hits / relevant : 0;
    out[`mrr@${k}`] = firstHit ? 1 / firstHit : 0;
    out[`ndcg@${k}`] = idcg > 0 ? dcg / idcg : 0;
    out[`map@${k}`] = relevant ? ap / Math.min(k, relevant) : 0;
  }
  return out;
}

/**
 * Document indices by descending score, ties in corpus order (so a ranking never depends on the
 * sort's stability), skipping `exclude`d ones; the first `k` only.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude?: ReadonlySet<number>): number[] {
  const idx: number[] = [];
  for (let j = 0; j < scores.length; j++) if (!exclude?.has(j)) idx.push(j);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, k);
}

/**
 * Mean IR metrics over queries from a score matrix [queries × docs] (row-major): each query's
 * documents ranked by score; queries without a relevant document are left out (and counted).
 */
export function irMetricsFromScores(
  scores: ArrayLike<number>,
  queryIds: readonly string[],
  docIds: readonly string[],
  qrels: Qrels,
  ks: readonly number[],
  exclude: (q: number) => ReadonlySet<number> | undefined = () => undefined,
): { metrics: IrScores; queries: number; skipped: number } {
  if (scores.length !== queryIds.length * docIds.length) throw new RetrievalsError(`irMetrics: ${scores.length} scores for ${queryIds.length} queries × ${docIds.length} documents`);
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new RetrievalsError(`irMetrics: k values must be integers ≥ 1, got ${JSON.stringify(ks)}`);
  const maxK = Math.max(...ks);
  const sums: Record<string, number> = {};
  let n = 0, skipped = 0;
  const n_docs = docIds.length;
  queryIds.forEach((qid, q) => {
    const grades = gradesOf(qrels[qid]);
    if (!grades.size) {
      skipped++;
      return;
    }
    const row = Array.prototype.slice.call(scores, q * n_docs, (q + 1) * n_docs) as number[];
    const ranked = topK(row, maxK, exclude(q)).map((j) => docIds[j]!);
    for (const [name, v] of Object.entries(rankingMetrics(ranked, grades, ks))) sums[name] = (sums[name] ?? 0) + v;
    n++;
  });
  const metrics: IrScores = {};
  for (const [name, v] of Object.entries(sums)) metrics[name] = v / n;
  return { metrics, queries: n, skipped };
}
