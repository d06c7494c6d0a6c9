import { Generator } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { checkRange, parseRange, selectNegatives, type SelectOptions } from '../src/index.js';

/** 20 candidates doc0..doc19 at ranks 0..19, scores 0.95, 0.90, ... */
const rows = Int32Array.from({ length: 20 }, (_, i) => i);
const scores = Float32Array.from({ length: 20 }, (_, i) => 0.95 - 0.05 * i);
const textOf = (r: number) => `doc${r}`;
const select = (o: Partial<SelectOptions> & { positives?: string[]; query?: string; texts?: (r: number) => string; exclude?: string[]; positiveScore?: number; seed?: number }) => {
  const pos = new Set(o.positives ?? []);
  const t = o.texts ?? textOf;
  return selectNegatives(rows, scores, t, (r) => pos.has(t(r)), (r) => t(r) === (o.query ?? 'q'), new Set(o.exclude ?? []), o.positiveScore ?? 1, { range: [2, 10], count: 5, strategy: 'random', ...o }, new Generator(o.seed ?? 7));
};

describe('parseRange (open-retrievals range_for_sampling)', () => {
  it('reads "lo-hi" as the slice [lo:hi]: the top lo skipped, ranks lo+1..hi sampled', () => {
    expect(parseRange('10-210')).toEqual([10, 210]);
    expect(parseRange(' 0 - 5 ')).toEqual([0, 5]);
    expect(() => parseRange('200-2')).toThrow(/range_for_sampling: expected "lo-hi" with 0 <= lo < hi/);
    expect(() => parseRange('5-5')).toThrow(/range_for_sampling/);
    expect(() => parseRange('a-b')).toThrow(/range_for_sampling/);
    expect(() => checkRange([3, 1])).toThrow(/rangeForSampling: expected \[lo, hi\]/);
    expect(checkRange([0, 1])).toEqual([0, 1]);
  });
});

describe('selectNegatives', () => {
  it('draws only from ranks lo+1..hi, in rank order, reproducibly per seed, never a positive or the query', () => {
    const a = select({ positives: ['doc3'], query: 'doc4' });
    expect(a).toEqual(select({ positives: ['doc3'], query: 'doc4' }));
    expect(a.picked).toHaveLength(5);
    expect(a.filled).toBe(0);
    for (const c of a.picked) expect(c.rank >= 2 && c.rank < 10 && c.row !== 3 && c.row !== 4).toBe(true);
    expect(a.picked.map((c) => c.rank)).toEqual([...a.picked.map((c) => c.rank)].sort((x, y) => x - y));
    expect(a.removed).toMatchObject({ outOfRange: 2, positives: 1, self: 1 });
    expect(new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(select({ seed }).picked)))).not.toHaveProperty('size', 1);
  });

  it("'top' takes the first eligible ranks", () => {
    expect(select({ strategy: 'top', positives: ['doc2'] }).picked.map((c) => c.row)).toEqual([3, 4, 5, 6, 7]);
  });

  it('fills from beyond the range in rank order when the range is short, and reports it', () => {
    const got = select({ range: [2, 5], count: 5, positives: ['doc3'] });
    expect(got.picked.map((c) => c.row)).toEqual([2, 4, 5, 6, 7]);
    expect(got.filled).toBe(3);
    // The whole list cannot supply the count: fewer, never a crash.
    const few = select({ range: [15, 18], count: 10 });
    expect(few.picked.map((c) => c.row)).toEqual([15, 16, 17, 18, 19]);
    expect(few.filled).toBe(2);
  });

  it('drops repeated texts, also those of the skipped top ranks and of the kept negatives', () => {
    const texts = (r: number) => (r === 6 || r === 7 ? 'doc0' : r === 8 ? 'doc5' : `doc${r}`);
    const got = select({ texts, strategy: 'top', count: 20, exclude: ['doc9'] });
    expect(got.picked.map((c) => c.row)).toEqual([2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(got.removed.duplicates).toBe(4);
  });

  it("applies sentence-transformers' score filters, each candidate counted once under the first that removes it", () => {
    // ranks 2..9 score 0.85 .. 0.50; positive score 0.8
    const base = { strategy: 'top' as const, count: 20, range: [2, 10] as [number, number], positiveScore: 0.8 };
    expect(select({ ...base, maxScore: 0.7 }).picked.map((c) => c.row)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(select({ ...base, minScore: 0.6 }).removed.minScore).toBe(2);
    // absolute: keep iff score + margin <= 0.8
    const abs = select({ ...base, absoluteMargin: 0.1 });
    expect(abs.picked[0]!.row).toBe(5);
    expect(abs.removed.absoluteMargin).toBe(3);
    // relative: keep iff score <= 0.8 × (1 − 0.26) = 0.592
    const rel = select({ ...base, relativeMargin: 0.26 });
    expect(rel.picked[0]!.score).toBeLessThanOrEqual(0.592);
    expect(rel.removed.relativeMargin).toBe(6);
    const both = select({ ...base, maxScore: 0.82, absoluteMargin: 0.1 });
    expect(both.removed).toMatchObject({ maxScore: 1, absoluteMargin: 2 });
  });

  it('never returns a positive, over random lists (a seeded property loop)', () => {
    const gen = new Generator(99);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + gen.int(60);
      const rowsR = Int32Array.from({ length: n }, () => gen.int(25));
      const scoresR = Float32Array.from({ length: n }, (_, i) => 1 - i / n);
      const positives = new Set(Array.from({ length: gen.int(6) }, () => `t${gen.int(25)}`));
      const lo = gen.int(5), hi = lo + 1 + gen.int(30), count = 1 + gen.int(12);
      const sel = selectNegatives(rowsR, scoresR, (r) => `t${r}`, (r) => positives.has(`t${r}`), (r) => r === 0, new Set(), 0.9, { range: [lo, hi], count, strategy: gen.int(2) ? 'top' : 'random', maxScore: gen.int(2) ? 0.8 : undefined }, gen.fork());
      expect(sel.picked.length).toBeLessThanOrEqual(count);
      const texts = sel.picked.map((c) => `t${c.row}`);
      expect(new Set(texts).size).toBe(texts.length);
      for (const c of sel.picked) {
        expect(positives.has(`t${c.row}`)).toBe(false);
        expect(c.row).not.toBe(0);
        expect(c.rank).toBeGreaterThanOrEqual(lo);
      }
    }
  });
});
