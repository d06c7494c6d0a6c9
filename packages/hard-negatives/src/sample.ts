import { Generator, RetrievalsError } from '@retrievals/core-tensor';

export interface SampleOptions {
  /** 1-based inclusive rank range to draw from, as open-retrievals' `range_for_sampling` "2-200". */
  range: [number, number];
  /** How many negatives per query (`negative_number`). */
  count: number;
}

/** Parses "2-200" (open-retrievals' `--range_for_sampling`). */
export function parseRange(text: string): [number, number] {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || lo < 1 || hi < lo) throw new RetrievalsError(`range_for_sampling: expected "low-high" with 1 <= low <= high, got ${JSON.stringify(text)}`);
  return [lo, hi];
}

/**
 * Draws negatives from the ranked candidates within the rank range, never a positive or the query
 * itself. When the range has too few eligible candidates, it takes from below the range before
 * giving fewer than asked (open-retrievals instead draws random corpus texts, which can be positives).
 */
export function sampleNegatives(
  ranked: readonly string[],
  exclude: ReadonlySet<string>,
  options: SampleOptions,
  rng: Generator,
): string[] {
  const [lo, hi] = options.range;
  const eligible = (from: number, to: number) => {
    const seen = new Set<string>();
    return ranked.slice(from, to).filter((t) => !exclude.has(t) && !seen.has(t) && (seen.add(t), true));
  };
  const inRange = rng.shuffle(eligible(lo - 1, hi));
  if (inRange.length >= options.count) return inRange.slice(0, options.count);
  const taken = new Set(inRange);
  const below = eligible(hi, ranked.length).filter((t) => !taken.has(t));
  return [...inRange, ...below.slice(0, options.count - inRange.length)];
}
