import { Generator } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { batchIndices, DataError, derivedGenerator, sampleGroup } from '../src/index.js';

const group = { query: 'q', positive: ['p0', 'p1'], negative: ['n0', 'n1', 'n2', 'n3'], teacherScores: [9, 8, 3, 2, 1, 0] };

describe('sampleGroup', () => {
  it('draws one positive and G−1 distinct negatives, teacher scores following the texts', () => {
    const s = sampleGroup(group, 4, new Generator(1), 0);
    expect(group.positive).toContain(s.positive);
    expect(s.negative).toHaveLength(3);
    expect(new Set(s.negative).size).toBe(3);
    const score = (t: string) => group.teacherScores[[...group.positive, ...group.negative].indexOf(t)];
    expect(s.teacherScores).toEqual([score(s.positive), ...s.negative.map(score)]);
  });

  it('resamples with each generator and repeats the same draw for the same seed', () => {
    const draws = new Set(Array.from({ length: 20 }, (_, e) => sampleGroup(group, 3, derivedGenerator(7, e), 0).negative.join()));
    expect(draws.size).toBeGreaterThan(3);
    expect(sampleGroup(group, 3, derivedGenerator(7, 5), 0)).toEqual(sampleGroup(group, 3, derivedGenerator(7, 5), 0));
  });

  it('repeats negatives when a row has too few, and fails clearly when it has none', () => {
    const s = sampleGroup({ query: 'q', positive: 'p', negative: ['a', 'b'] }, 6, new Generator(0), 3);
    expect(s.negative).toHaveLength(5);
    expect(s.negative.filter((n) => n === 'a').length).toBeGreaterThanOrEqual(2);
    expect(s.negative.filter((n) => n === 'b').length).toBeGreaterThanOrEqual(2);
    expect(() => sampleGroup({ query: 'q', positive: 'p', negative: [] }, 2, new Generator(0), 12)).toThrow(DataError);
    expect(() => sampleGroup({ query: 'q', positive: 'p', negative: [] }, 2, new Generator(0), 12)).toThrow("row 12: field 'negative' holds no text, but trainGroupSize 2 needs 1 negative");
    expect(sampleGroup({ query: 'q', positive: 'p' }, 1, new Generator(0), 0).negative).toEqual([]);
  });
});

describe('batchIndices', () => {
  it('covers every row once per epoch, shuffled by the generator, and drops a short last batch on request', () => {
    const a = batchIndices(10, { batchSize: 4, generator: new Generator(3) });
    expect(a.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(a.flat().sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect(a.flat()).not.toEqual([...Array(10).keys()]);
    expect(batchIndices(10, { batchSize: 4, generator: new Generator(3) })).toEqual(a);
    expect(batchIndices(10, { batchSize: 4, generator: new Generator(3), dropLast: true })).toEqual(a.slice(0, 2));
    expect(batchIndices(5, { batchSize: 2, shuffle: false })).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('keeps rows that share a text out of one batch', () => {
    const texts = ['a', 'a', 'a', 'b', 'c', 'd', 'e', 'f'].map((t, i) => [t, `doc ${i}`]);
    for (let seed = 0; seed < 10; seed++) {
      const batches = batchIndices(texts.length, { batchSize: 3, generator: new Generator(seed), textsOf: (r) => texts[r]! });
      expect(batches.flat().sort()).toEqual([...Array(8).keys()]);
      for (const b of batches) expect(b.filter((r) => texts[r]![0] === 'a').length).toBeLessThanOrEqual(1);
    }
  });

  it('groups rows of similar length into batches', () => {
    const lengths = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
    const batches = batchIndices(64, { batchSize: 8, generator: new Generator(0), lengthOf: (r) => lengths[r]! });
    expect(batches.flat().sort((x, y) => x - y)).toEqual([...Array(64).keys()]);
    const spread = (b: number[]) => Math.max(...b.map((r) => lengths[r]!)) - Math.min(...b.map((r) => lengths[r]!));
    for (const b of batches) expect(spread(b)).toBeLessThanOrEqual(7);
    const plain = batchIndices(64, { batchSize: 8, generator: new Generator(0) });
    expect(Math.max(...plain.map(spread))).toBeGreaterThan(20);
  });
});
