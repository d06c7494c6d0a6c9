import { RetrievalsError } from '@retrievals/core-tensor';

function check(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) throw new RetrievalsError(`correlation: ${x.length} values against ${y.length}`);
  if (x.length < 2) throw new RetrievalsError(`correlation: needs at least 2 pairs, got ${x.length}`);
}

/** Pearson's r (NaN when either side is constant, as scipy). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  check(x, y);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** 1-based ranks, tied values getting the average of their ranks (scipy.stats.rankdata's 'average'). */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's ρ: Pearson's r of the average ranks (scipy.stats.spearmanr). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  check(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}
