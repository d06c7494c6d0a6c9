import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, OptionError } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { FlatIndex, IndexError, indexes } from '../src/index.js';

const rng = new Generator(7);
const randomRows = (n: number, d: number) => Float32Array.from({ length: n * d }, () => rng.uniform() * 2 - 1);

/** Every score, fully sorted: the reference the blocked heap search must equal. */
function bruteForce(corpus: Float32Array, ids: string[], queries: Float32Array, d: number, k: number) {
  const n = corpus.length / d;
  return Array.from({ length: queries.length / d }, (_, q) => {
    const all = Array.from({ length: n }, (_, r) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += queries[q * d + j]! * corpus[r * d + j]!;
      return { r, s: Math.fround(s) };
    }).sort((a, b) => b.s - a.s || a.r - b.r);
    return { ids: all.slice(0, k).map((x) => ids[x.r]!), scores: all.slice(0, k).map((x) => x.s) };
  });
}

describe('flat index', () => {
  it('finds the exact inner-product top k, whatever the block size', () => {
    const d = 5, n = 103, corpus = randomRows(n, d), queries = randomRows(9, d);
    const ids = Array.from({ length: n }, (_, i) => `doc${i}`);
    const expected = bruteForce(corpus, ids, queries, d, 10);
    for (const blockSize of [1, 7, 4096]) {
      const index = indexes.create({ name: 'flat', blockSize }).build(d);
      index.add(corpus.subarray(0, 50 * d), ids.slice(0, 50));
      index.add(corpus.subarray(50 * d), ids.slice(50));
      expect(index.size).toBe(n);
      const got = index.search(queries, 10);
      expect(got.map((h) => ({ ids: h.ids, scores: Array.from(h.scores) }))).toEqual(expected);
    }
  });

  it('breaks ties toward the earlier row and returns fewer hits than k when it holds fewer', () => {
    const index = indexes.create('flat').build(2);
    index.add(Float32Array.from([1, 0, 1, 0, 0, 1]), ['a', 'b', 'c']);
    const [hit] = index.search(Float32Array.from([1, 0]), 5);
    expect(hit!.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(hit!.scores)).toEqual([1, 1, 0]);
    expect(indexes.create('exact').build(2).search(Float32Array.from([1, 0]), 3)).toEqual([{ ids: [], scores: new Float32Array(0) }]);
  });

  it('checks inputs against its dim and refuses duplicate ids', () => {
    const index = indexes.create('flat').build(3);
    expect(() => index.add(new Float32Array(4), ['a'])).toThrow(new IndexError('flat index: vectors has 4 values, not a multiple of dim 3'));
    expect(() => index.add(new Float32Array(6), ['a'])).toThrow('flat index: 2 vectors but 1 ids');
    expect(() => index.add(Float32Array.from([0, 0, 0, 0, NaN, 0]), ['a', 'b'])).toThrow('flat index: vectors row 1 holds NaN at column 1');
    index.add(new Float32Array(3), ['a']);
    expect(() => index.add(new Float32Array(3), ['a'])).toThrow("flat index: id 'a' is already in the index");
    expect(() => index.search(new Float32Array(3), 0)).toThrow('flat index: k must be a positive integer, got 0');
    expect(() => indexes.create('flat').build(0)).toThrow('flat index: dim must be a positive integer, got 0');
    expect(() => indexes.create({ name: 'flat', blockSize: 0 })).toThrow(OptionError);
    expect(indexes.sourceOf('flat')).toBe('@retrievals/hard-negatives');
  });

  it('saves atomically and loads the same index back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-'));
    const file = join(dir, 'corpus.index');
    const d = 4, corpus = randomRows(20, d), queries = randomRows(3, d);
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const index = indexes.create('flat').build(d);
    index.add(corpus, ids);
    await index.save(file);
    expect(readdirSync(dir)).toEqual(['corpus.index']); // no temporary file left behind
    const loaded = await indexes.create('flat').load(file);
    expect(loaded.size).toBe(20);
    expect(loaded.search(queries, 4)).toEqual(index.search(queries, 4));
    expect(loaded.search(queries, 4)).toEqual(bruteForce(corpus, ids, queries, d, 4).map((h) => ({ ids: h.ids, scores: Float32Array.from(h.scores) })));
  });

  it('refuses a truncated or foreign file, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-'));
    const file = join(dir, 'x.index');
    const index = new FlatIndex(2);
    index.add(Float32Array.from([1, 2, 3, 4]), ['a', 'b']);
    await index.save(file);
    writeFileSync(file, readFileSync(file).subarray(0, -4));
    await expect(FlatIndex.load(file)).rejects.toThrow(`${file}: 2 vectors of dim 2 need 16 bytes of data, the file has 12 (truncated?)`);
    writeFileSync(file, 'hello');
    await expect(FlatIndex.load(file)).rejects.toThrow(`${file}: not a retrievals index file`);
    await expect(FlatIndex.load(join(dir, 'missing'))).rejects.toThrow(IndexError);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
