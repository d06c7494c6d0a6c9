import type { RemovedCounts } from './sample.js';

/** A distribution of scores, quantiles interpolated linearly (torch.quantile / numpy's default). */
export interface ScoreStats {
  count: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
}

export interface HardNegativesReport {
  inputFile: string;
  outputFile: string;
  /** 'input' (the rows' own shape) or a sentence-transformers layout. */
  outputFormat: string;
  /** Input rows read. */
  rows: number;
  /** Records written (one per row for 'input'; more for 'triplet' / 'labeled-pair'). */
  recordsWritten: number;
  /** Rows left out of the output (n-tuple rows without a full set of negatives). */
  rowsDropped: number;
  /** Distinct query texts encoded and searched. */
  queries: number;
  corpusSize: number;
  /** The index used ('flat', 'usearch', ...), whether a saved one was reused, and how deep each query was searched. */
  index: { name: string; reused: boolean; file?: string; shards?: number; depth: number };
  range: [number, number];
  negativesPerRow: number;
  /** Negatives written in all. */
  negatives: number;
  /** Of them, taken from beyond rank hi because the range had too few. */
  filled: number;
  /** Rows that got fewer than negativesPerRow, the negatives they lack in all, and how many rows lack how many. */
  short: { rows: number; missing: number; byMissing: Record<string, number> };
  /** Candidates of ranks lo+1..hi each rule removed (outOfRange: ranks 1..lo). */
  removed: RemovedCounts;
  /** Scores of each (row, positive) pair, of the negatives kept, and of (lowest positive − negative) per negative. */
  scores: { positive: ScoreStats; negative: ScoreStats; difference: ScoreStats };
  seconds: { read: number; encode: number; search: number; write: number; total: number };
}

export function scoreStats(values: ArrayLike<number>): ScoreStats {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (!n) return { count: 0, min: NaN, p25: NaN, median: NaN, p75: NaN, max: NaN, mean: NaN };
  const q = (p: number) => {
    const x = (n - 1) * p, i = Math.floor(x), f = x - i;
    return i + 1 < n ? a[i]! + (a[i + 1]! - a[i]!) * f : a[i]!;
  };
  let sum = 0;
  for (const v of a) sum += v;
  return { count: n, min: a[0]!, p25: q(0.25), median: q(0.5), p75: q(0.75), max: a[n - 1]!, mean: sum / n };
}

const num = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(4));
const int = (x: number) => x.toLocaleString('en-US');
const pct = (x: number, of: number) => (of ? `${((100 * x) / of).toFixed(2)}%` : '0%');

/** The report as printed lines (what `retrievals build-hn` prints). */
export function formatHardNegativesReport(r: HardNegativesReport): string[] {
  const lines: string[] = [];
  lines.push(`build-hn: ${r.inputFile} → ${r.outputFile} (${r.outputFormat}): ${int(r.recordsWritten)} records from ${int(r.rows)} rows`);
  const where = r.index.shards ? `${r.index.shards} shards` : r.index.reused ? `reused ${r.index.file}` : r.index.file ? `saved to ${r.index.file}` : 'built in memory';
  lines.push(`  corpus ${int(r.corpusSize)} texts, ${int(r.queries)} distinct queries; index '${r.index.name}' (${where}), searched to rank ${r.index.depth}`);
  lines.push(`  sampled ranks ${r.range[0] + 1}..${r.range[1]}: ${int(r.negatives)} negatives (${r.negativesPerRow} asked per row), ${int(r.filled)} filled from beyond rank ${r.range[1]}`);
  if (r.short.rows) {
    const by = Object.entries(r.short.byMissing).sort((a, b) => Number(a[0]) - Number(b[0])).map(([m, c]) => `${int(c)} short by ${m}`).join(', ');
    lines.push(`  ${int(r.short.rows)} rows (${pct(r.short.rows, r.rows)}) got fewer than ${r.negativesPerRow} negatives, ${int(r.short.missing)} missing in all (${by}); widen rangeForSampling or relax the score filters`);
  } else lines.push(`  every row got ${r.negativesPerRow} negatives`);
  if (r.rowsDropped) lines.push(`  ${int(r.rowsDropped)} rows dropped (${r.outputFormat} needs ${r.negativesPerRow} negatives per row)`);
  const removed = Object.entries(r.removed).filter(([, c]) => c > 0);
  lines.push(`  removed from the range: ${removed.length ? removed.map(([k, c]) => `${k} ${int(c)}`).join(', ') : 'none'}`);
  lines.push(`  ${'score'.padEnd(8)}${'count'.padStart(10)}${'min'.padStart(9)}${'25%'.padStart(9)}${'median'.padStart(9)}${'75%'.padStart(9)}${'max'.padStart(9)}${'mean'.padStart(9)}`);
  for (const [name, s] of [['positive', r.scores.positive], ['negative', r.scores.negative], ['pos−neg', r.scores.difference]] as const) {
    lines.push(`  ${name.padEnd(8)}${int(s.count).padStart(10)}${[s.min, s.p25, s.median, s.p75, s.max, s.mean].map((x) => num(x).padStart(9)).join('')}`);
  }
  const t = r.seconds;
  lines.push(`  time: read ${t.read.toFixed(1)} s, encode ${t.encode.toFixed(1)} s, search ${t.search.toFixed(1)} s, write ${t.write.toFixed(1)} s, total ${t.total.toFixed(1)} s`);
  return lines;
}
