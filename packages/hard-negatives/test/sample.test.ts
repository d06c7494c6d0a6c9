import { Generator } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { parseRange, sampleNegatives } from '../src/index.js';

const ranked = Array.from({ length: 20 }, (_, i) => `doc${i + 1}`);

describe('sampleNegatives', () => {
  it('draws only from the rank range, excluding positives and the query, deterministically per seed', () => {
    const exclude = new Set(['doc3', 'doc4']);
    const a = sampleNegatives(ranked, exclude, { range: [2, 10], count: 5 }, new Generator(7));
    const b = sampleNegatives(ranked, exclude, { range: [2, 10], count: 5 }, new Generator(7));
    expect(a).toEqual(b);
    expect(a).toHaveLength(5);
    for (const t of a) {
      const rank = Number(t.slice(3));
      expect(rank >= 2 && rank <= 10 && !exclude.has(t)).toBe(true);
    }
    expect(new Set(a).size).toBe(5);
  });
  it('fills from below the range when the range is short, never repeating', () => {
    const got = sampleNegatives(ranked, new Set(['doc2']), { range: [2, 4], count: 4 }, new Generator(1));
    expect(got.slice(0, 2).sort()).toEqual(['doc3', 'doc4']);
    expect(got.slice(2)).toEqual(['doc5', 'doc6']);
  });
  it('parses range_for_sampling', () => {
    expect(parseRange('2-200')).toEqual([2, 200]);
    expect(() => parseRange('200-2')).toThrow(/range_for_sampling/);
  });
});
