import { Generator, RetrievalsError } from '@retrievals/core-tensor';

/**
 * Parses open-retrievals' / FlagEmbedding's `--range_for_sampling` "lo-hi": the retrieved list is
 * cut as Python's `[lo:hi]`, i.e. the top `lo` results are skipped and ranks lo+1..hi (1-based)
 * are sampled from. "10-210" (their default) skips the 10 nearest and samples from the next 200.
 */
export function parseRange(text: string): [number, number] {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || !(hi > lo)) throw new RetrievalsError(`range_for_sampling: expected "lo-hi" with 0 <= lo < hi (ranks lo+1..hi are sampled, e.g. "10-210"), got ${JSON.stringify(text)}`);
  return [lo, hi];
}

/** Checks a [lo, hi] pair given as numbers. */
export function checkRange(range: unknown): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => Number.isSafeInteger(x) && x >= 0) || !(range[1] > range[0])) {
    throw new RetrievalsError(`rangeForSampling: expected [lo, hi] with integers 0 <= lo < hi (ranks lo+1..hi are sampled), got ${JSON.stringify(range)}`);
  }
  return [range[0], range[1]];
}

/** How many candidates each rule removed from ranks lo+1..hi (each counted once, under the first rule that removed it). */
export interface RemovedCounts {
  /** Ranks 1..lo: the nearest results, skipped by the range. */
  outOfRange: number;
  positives: number;
  self: number;
  duplicates: number;
  maxScore: number;
  minScore: number;
  absoluteMargin: number;
  relativeMargin: number;
}

export const noneRemoved = (): RemovedCounts => ({ outOfRange: 0, positives: 0, self: 0, duplicates: 0, maxScore: 0, minScore: 0, absoluteMargin: 0, relativeMargin: 0 });

export interface ScoreFilters {
  /** Drop a candidate scoring above this (sentence-transformers' max_score: `score > maxScore`). */
  maxScore?: number;
  /** Drop a candidate scoring below this (`score < minScore`). */
  minScore?: number;
  /** Drop unless `score + absoluteMargin <= positive score` (sentence-transformers' absolute_margin). */
  absoluteMargin?: number;
  /** Drop unless `score <= positive score × (1 − relativeMargin)` (relative_margin). */
  relativeMargin?: number;
}

export interface SelectOptions extends ScoreFilters {
  /** [lo, hi]: ranks lo+1..hi (1-based) are sampled from; see parseRange. */
  range: [number, number];
  /** How many negatives (`negative_number`). */
  count: number;
  /** 'random' (open-retrievals, FlagEmbedding): `count` drawn from the eligible ranks; 'top': the first `count`. */
  strategy: 'random' | 'top';
}

export interface Candidate {
  /** 0-based position in the retrieved list. */
  rank: number;
  row: number;
  score: number;
}

export interface Selection {
  /** The negatives, in rank order (best first). */
  picked: Candidate[];
  /** How many of them came from beyond rank hi (the range had too few). */
  filled: number;
  removed: RemovedCounts;
}

/**
 * One query's negatives from its retrieved list (rows and scores best first, −1 rows ending it):
 *
 * 1. ranks 1..lo are skipped (open-retrievals' `[lo:hi]` slice), but their texts count as seen;
 * 2. every other candidate is dropped if it is one of the query's positives, the query itself, a text
 *    already seen higher in the list (or among the row's kept negatives), or fails a score filter
 *    (maxScore, minScore, absoluteMargin, relativeMargin against `positiveScore`, in that order);
 * 3. from the survivors of ranks lo+1..hi, `count` are taken (randomly with `rng`, or the top ones);
 * 4. when fewer survive there, the next survivors beyond rank hi fill the rest, in rank order; a
 *    query whose whole list cannot supply `count` gets fewer (the caller reports it), never a positive.
 *
 * `textOf` gives a row's text as written; `isPositive` / `isSelf` decide with whatever forms of the
 * text the caller compares (a pool document with a title is also compared by its bare text).
 */
export function selectNegatives(
  rows: ArrayLike<number>,
  scores: ArrayLike<number>,
  textOf: (row: number) => string,
  isPositive: (row: number) => boolean,
  isSelf: (row: number) => boolean,
  exclude: ReadonlySet<string>,
  positiveScore: number,
  options: SelectOptions,
  rng: Generator,
): Selection {
  const [lo, hi] = options.range;
  const removed = noneRemoved();
  const seen = new Set<string>(exclude);
  const inRange: Candidate[] = [], beyond: Candidate[] = [];
  const { maxScore, minScore, absoluteMargin, relativeMargin } = options;
  for (let rank = 0; rank < rows.length; rank++) {
    const row = rows[rank]!;
    if (row < 0) break;
    const text = textOf(row);
    if (rank < lo) {
      removed.outOfRange++;
      seen.add(text);
      continue;
    }
    if (rank >= hi && inRange.length + beyond.length >= options.count) break;
    const score = scores[rank]!;
    const why: keyof RemovedCounts | undefined = isPositive(row)
      ? 'positives'
      : isSelf(row)
        ? 'self'
        : seen.has(text)
          ? 'duplicates'
          : maxScore !== undefined && score > maxScore
            ? 'maxScore'
            : minScore !== undefined && score < minScore
              ? 'minScore'
              : absoluteMargin !== undefined && score + absoluteMargin > positiveScore
                ? 'absoluteMargin'
                : relativeMargin !== undefined && score > positiveScore * (1 - relativeMargin)
                  ? 'relativeMargin'
                  : undefined;
    seen.add(text);
    if (why) {
      if (rank < hi) removed[why]++;
      continue;
    }
    (rank < hi ? inRange : beyond).push({ rank, row, score });
  }
  let picked: Candidate[];
  if (inRange.length > options.count) {
    if (options.strategy === 'top') picked = inRange.slice(0, options.count);
    else {
      // A partial Fisher-Yates draw of `count` positions, then back into rank order.
      const idx = inRange.map((_, i) => i);
      for (let i = 0; i < options.count; i++) {
        const j = i + rng.int(idx.length - i);
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      picked = idx.slice(0, options.count).sort((a, b) => a - b).map((i) => inRange[i]!);
    }
    return { picked, filled: 0, removed };
  }
  const fill = beyond.slice(0, options.count - inRange.length);
  return { picked: [...inRange, ...fill], filled: fill.length, removed };
}
