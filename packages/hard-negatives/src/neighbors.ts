/**
 * The one way a score is computed exactly: float64 sums in four fixed lanes, rounded once to
 * float32. Matmul kernels' float32 sums depend on block shapes in their last bits (onnxruntime's
 * GEMM picks tiles and threads by shape), so the flat index rescores its final candidates with this,
 * and the miner scores positives with it: scores are the same whatever the blocking or sharding.
 */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < d; j++) s0 += a[ao + j]! * b[bo + j]!;
  return Math.fround(s0 + s1 + (s2 + s3));
}

import type { Neighbors } from './registry.js';

/**
 * Per-query top-k kept across blocks (of the corpus, or of shards): each block's own top-k, sorted,
 * is merged in O(k) per query. Order is score descending, then row ascending: a tie goes to the
 * earlier row whatever the blocking, which is what makes a blocked or sharded search return exactly
 * the whole-corpus answer.
 */
export class TopKAccumulator {
  readonly rows: Int32Array;
  readonly scores: Float32Array;
  private readonly tmpRows: Int32Array;
  private readonly tmpScores: Float32Array;

  constructor(
    readonly queries: number,
    readonly k: number,
  ) {
    this.rows = new Int32Array(queries * k).fill(-1);
    this.scores = new Float32Array(queries * k).fill(-Infinity);
    this.tmpRows = new Int32Array(k);
    this.tmpScores = new Float32Array(k);
  }

  /**
   * Merges one block's result for queries [q0, q0 + m): `kb` entries per query, best first, as
   * (score, local index) with ties in ascending index; the global row of local index i is
   * `rowMap ? rowMap[i] : rowBase + i`. Entries with a negative local index are ignored.
   */
  merge(q0: number, m: number, kb: number, scores: ArrayLike<number>, local: ArrayLike<number>, rowBase = 0, rowMap?: ArrayLike<number>): void {
    const { k, rows: R, scores: S, tmpRows, tmpScores } = this;
    for (let i = 0; i < m; i++) {
      const base = (q0 + i) * k, bb = i * kb;
      // Fast path: the block's best cannot enter a full list.
      const last = base + k - 1;
      if (kb === 0) continue;
      const firstLocal = local[bb]!;
      if (firstLocal < 0) continue;
      const firstRow = rowMap ? rowMap[firstLocal]! : rowBase + firstLocal;
      const firstScore = scores[bb]!;
      if (R[last]! >= 0 && (firstScore < S[last]! || (firstScore === S[last]! && firstRow > R[last]!))) continue;
      let a = 0, b = 0;
      for (let o = 0; o < k; o++) {
        const ar = a < k ? R[base + a]! : -1;
        let br = -1, bs = -Infinity;
        if (b < kb) {
          const li = local[bb + b]!;
          if (li >= 0) {
            br = rowMap ? rowMap[li]! : rowBase + li;
            bs = scores[bb + b]!;
          }
        }
        if (ar < 0 && br < 0) {
          tmpRows[o] = -1;
          tmpScores[o] = -Infinity;
          continue;
        }
        const as = ar >= 0 ? S[base + a]! : -Infinity;
        const takeA = br < 0 || (ar >= 0 && (as > bs || (as === bs && ar < br)));
        if (takeA) {
          tmpRows[o] = ar;
          tmpScores[o] = as;
          a++;
        } else {
          tmpRows[o] = br;
          tmpScores[o] = bs;
          b++;
        }
      }
      R.set(tmpRows, base);
      S.set(tmpScores, base);
    }
  }

  /** Merges another dense result (e.g. one shard's) for every query. */
  mergeNeighbors(n: Neighbors): void {
    if (n.queries !== this.queries) throw new RangeError(`merge: ${n.queries} queries, expected ${this.queries}`);
    this.merge(0, n.queries, n.k, n.scores, n.rows, 0);
  }

  result(): Neighbors {
    return { queries: this.queries, k: this.k, rows: this.rows, scores: this.scores };
  }
}
