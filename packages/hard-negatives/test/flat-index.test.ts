import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, OptionError } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { defineIndex, FlatIndex, IndexError, indexes, TopKAccumulator, type Neighbors, type VectorIndex } from '../src/index.js';
import { bruteForce, latentRows, latentSpace, recallAt, tmp, unitRows } from './helpers.js';

const rng = new Generator(7);
const randomRows = (n: number, d: number) => Float32Array.from({ length: n * d }, () => rng.uniform() * 2 - 1);
const idsOf = (n: number, p = 'doc') => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('flat index', () => {
  it('finds the exact inner-product top k on ort and on js, whatever the block sizes', async () => {
    const d = 5, n = 103, corpus = randomRows(n, d), queries = randomRows(9, d);
    const ids = idsOf(n);
    const expected = bruteForce(corpus, queries, d, 10);
    const results: { ids: string[]; scores: number[] }[][] = [];
    for (const o of [{ blockSize: 1, queryBlock: 1 }, { blockSize: 7, queryBlock: 4 }, { blockSize: 4096 }, { blockSize: 13, backend: 'js' }]) {
      const index = indexes.create({ name: 'flat', ...o }).build(d);
      index.add(corpus.subarray(0, 50 * d), ids.slice(0, 50));
      index.add(corpus.subarray(50 * d), ids.slice(50));
      expect(index.size).toBe(n);
      const got = await index.search(queries, 10);
      got.forEach((h, q) => {
        expect(h.ids).toEqual(expected[q]!.rows.map((r) => ids[r]));
        h.scores.forEach((s, j) => expect(s).toBeCloseTo(expected[q]!.scores[j]!, 5));
      });
      results.push(got.map((h) => ({ ids: h.ids, scores: Array.from(h.scores) })));
    }
    // On one backend the scores do not depend on the blocking, to the last bit.
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('breaks ties toward the earlier row across blocks, and returns fewer hits than k when it holds fewer', async () => {
    for (const blockSize of [1, 2, 100]) {
      const index = indexes.create({ name: 'flat', blockSize }).build(2);
      index.add(Float32Array.from([1, 0, 1, 0, 0, 1, 1, 0]), ['a', 'b', 'c', 'd']);
      const [hit] = await index.search(Float32Array.from([1, 0]), 5);
      expect(hit!.ids).toEqual(['a', 'b', 'd', 'c']);
      expect(Array.from(hit!.scores)).toEqual([1, 1, 1, 0]);
      const nb = await index.searchNeighbors!(Float32Array.from([1, 0]), 6);
      expect(Array.from(nb.rows)).toEqual([0, 1, 3, 2, -1, -1]);
    }
    expect(await indexes.create('exact').build(2).search(Float32Array.from([1, 0]), 3)).toEqual([{ ids: [], scores: new Float32Array(0) }]);
  });

  it('merges block results by score then row (the accumulator the blocked scan and the shard merge share)', () => {
    const acc = new TopKAccumulator(1, 3);
    acc.merge(0, 1, 2, [0.5, 0.2], [0, 1], 10); // rows 10, 11
    acc.merge(0, 1, 3, [0.5, 0.5, 0.1], [0, 1, 2], 20); // rows 20, 21, 22
    expect(Array.from(acc.rows)).toEqual([10, 20, 21]);
    acc.merge(0, 1, 1, [0.5], [0], 5); // an earlier row with the same score goes first
    expect(Array.from(acc.rows)).toEqual([5, 10, 20]);
  });

  it('checks inputs against its dim and refuses duplicate ids', async () => {
    const index = indexes.create('flat').build(3);
    expect(() => index.add(new Float32Array(4), ['a'])).toThrow(new IndexError('flat index: vectors has 4 values, not a multiple of dim 3'));
    expect(() => index.add(new Float32Array(6), ['a'])).toThrow('flat index: 2 vectors but 1 ids');
    expect(() => index.add(Float32Array.from([0, 0, 0, 0, NaN, 0]), ['a', 'b'])).toThrow('flat index: vectors row 1 holds NaN at column 1');
    expect(() => index.add(new Float32Array(6), ['a', 'a'])).toThrow("flat index: id 'a' is already in the index");
    index.add(new Float32Array(3), ['a']);
    expect(() => index.add(new Float32Array(3), ['a'])).toThrow("flat index: id 'a' is already in the index");
    await expect(index.search(new Float32Array(3), 0)).rejects.toThrow('flat index: k must be a positive integer, got 0');
    await expect(index.search(Float32Array.from([1, Infinity, 0]), 1)).rejects.toThrow('flat index: queries row 0 holds Infinity at column 1');
    expect(() => indexes.create('flat').build(0)).toThrow('flat index: dim must be a positive integer, got 0');
    expect(() => indexes.create({ name: 'flat', blockSize: 0 })).toThrow(OptionError);
    expect(() => indexes.create({ name: 'flat', precision: 'int4' })).toThrow(/option 'precision' must be one of 'float32', 'int8', 'binary'/);
    expect(() => indexes.create({ name: 'flat-binary', rescore: 0 }).build(4)).toThrow(/binary precision needs rescore ≥ 1/);
    expect(indexes.sourceOf('flat')).toBe('@retrievals/hard-negatives');
  });

  it('saves atomically and loads the same index back, into memory or left in the file', async () => {
    const dir = tmp('flat-');
    const file = join(dir, 'corpus.index');
    const d = 4, corpus = randomRows(20, d), queries = randomRows(3, d);
    const ids = idsOf(20, 't');
    const index = indexes.create({ name: 'flat', blockSize: 6 }).build(d);
    index.add(corpus, ids);
    await index.save(file, { corpus_fingerprint: 'abc' });
    expect(readdirSync(dir)).toEqual(['corpus.index']); // no temporary file left behind
    const want = await index.search(queries, 4);
    for (const storage of ['memory', 'file'] as const) {
      const loaded = await indexes.create({ name: 'flat', storage, blockSize: 7 }).load(file);
      expect(loaded.size).toBe(20);
      expect(loaded.metadata?.corpus_fingerprint).toBe('abc');
      expect(await loaded.search(queries, 4)).toEqual(want);
      if (storage === 'file') expect(() => loaded.add(new Float32Array(4), ['x'])).toThrow(/read-only/);
      loaded.close?.();
    }
    // Ids that are row numbers are stored as a range, other ids as a list: both come back.
    const numbered = indexes.create('flat').build(2);
    numbered.add(Float32Array.from([1, 0, 0, 1]), ['0', '1']);
    await numbered.save(join(dir, 'n.index'));
    expect((await (await indexes.create('flat').load(join(dir, 'n.index'))).search(Float32Array.from([0, 1]), 1))[0]!.ids).toEqual(['1']);
  });

  it('refuses a truncated or foreign file, naming it', async () => {
    const dir = tmp('flat-');
    const file = join(dir, 'x.index');
    const index = new FlatIndex(2);
    index.add(Float32Array.from([1, 2, 3, 4]), ['a', 'b']);
    await index.save(file);
    writeFileSync(file, readFileSync(file).subarray(0, -4));
    await expect(FlatIndex.load(file)).rejects.toThrow(new RegExp(`^${file}: not a readable index file: .*truncated`));
    writeFileSync(file, 'hello world, not safetensors');
    await expect(FlatIndex.load(file)).rejects.toThrow(`${file}: not a readable index file`);
    await expect(FlatIndex.load(join(dir, 'missing'))).rejects.toThrow(IndexError);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    const usearchFile = join(dir, 'u.index');
    const u = indexes.create('usearch').build(2);
    u.add(Float32Array.from([1, 2, 3, 4]), ['a', 'b']);
    await u.save(usearchFile);
    await expect(indexes.create('flat').load(usearchFile)).rejects.toThrow(`${usearchFile}: holds a 'usearch' index, expected 'flat'`);
  });
});

describe('quantised flat indexes', () => {
  const d = 128, n = 3000, nq = 100, k = 10;
  const gen = new Generator(11);
  const space = latentSpace(d, 16, gen);
  const corpus = latentRows(n, d, gen, space, 16), queries = latentRows(nq, d, gen, space, 16);
  const ids = idsOf(n);
  const exactRows = async () => {
    const flat = indexes.create('flat').build(d);
    flat.add(corpus, ids);
    return (await flat.searchNeighbors!(queries, k)).rows;
  };

  const searchWith = async (spec: Parameters<typeof indexes.create>[0]) => {
    const index: VectorIndex = indexes.create(spec).build(d);
    index.add(corpus.subarray(0, 1000 * d), ids.slice(0, 1000));
    index.add(corpus.subarray(1000 * d), ids.slice(1000));
    return index.searchNeighbors!(queries, k);
  };

  it('int8 (per row or per dimension) reaches high recall@10 against exact flat, and exact scores once rescored', async () => {
    const exact = await exactRows();
    for (const int8Scale of ['row', 'dimension']) expect(recallAt(exact, (await searchWith({ name: 'flat-int8', int8Scale })).rows, nq, k)).toBeGreaterThan(0.97);
    const rescored = await searchWith({ name: 'flat-int8', rescore: 4 });
    expect(recallAt(exact, rescored.rows, nq, k)).toBeGreaterThan(0.99);
    const ref = bruteForce(corpus, queries, d, 1);
    expect(rescored.scores[0]).toBeCloseTo(ref[0]!.scores[0]!, 5);
  });

  it('binary prefilters by sign bits and rescores exactly', async () => {
    const exact = await exactRows();
    const recall = async (rescore: number) => recallAt(exact, (await searchWith({ name: 'flat-binary', rescore })).rows, nq, k);
    expect(await recall(1)).toBeGreaterThan(0.7);
    expect(await recall(8)).toBeGreaterThan(0.9);
    const found = await searchWith({ name: 'flat-binary', rescore: 8 });
    // Scores are exact inner products of what it returns.
    for (let j = 0; j < k; j++) {
      const r = found.rows[j]!;
      let s = 0;
      for (let t = 0; t < d; t++) s += queries[t]! * corpus[r * d + t]!;
      expect(found.scores[j]).toBeCloseTo(s, 5);
    }
  });

  it('the ort programs and the core-tensor ops on js agree for int8 and binary', async () => {
    const small = unitRows(300, 16, gen), q = unitRows(7, 16, gen);
    for (const name of ['flat-int8', 'flat-binary']) {
      const got: Neighbors[] = [];
      for (const backend of ['ort', 'js']) {
        const index = indexes.create({ name, backend, blockSize: 64 }).build(16);
        index.add(small, idsOf(300));
        got.push(await index.searchNeighbors!(q, 5));
      }
      expect(Array.from(got[1]!.rows)).toEqual(Array.from(got[0]!.rows));
      got[0]!.scores.forEach((s, i) => expect(got[1]!.scores[i]).toBeCloseTo(s, 5));
    }
  });

  it('a quantised index saves its int8 / bit tensors and loads them back; a float file is quantised on load', async () => {
    const dir = tmp('q-');
    const q = queries.subarray(0, 5 * d);
    for (const name of ['flat-int8', 'flat-binary']) {
      const index = indexes.create(name).build(d);
      index.add(corpus, ids);
      await index.save(join(dir, `${name}.index`));
      const back = await indexes.create(name).load(join(dir, `${name}.index`));
      expect(await back.searchNeighbors!(q, k)).toEqual(await index.searchNeighbors!(q, k));
    }
    const flat = indexes.create('flat').build(d);
    flat.add(corpus, ids);
    await flat.save(join(dir, 'float.index'));
    for (const storage of ['memory', 'file'] as const) {
      const asInt8 = await indexes.create({ name: 'flat-int8', storage }).load(join(dir, 'float.index'));
      const built = indexes.create('flat-int8').build(d);
      built.add(corpus, ids);
      expect(await asInt8.searchNeighbors!(q, k)).toEqual(await built.searchNeighbors!(q, k));
      const asBinary = await indexes.create({ name: 'flat-binary', storage }).load(join(dir, 'float.index'));
      const builtBinary = indexes.create('flat-binary').build(d);
      builtBinary.add(corpus, ids);
      expect(await asBinary.searchNeighbors!(q, k)).toEqual(await builtBinary.searchNeighbors!(q, k));
      asInt8.close?.();
      asBinary.close?.();
    }
  });
});

describe('defineIndex', () => {
  it('refuses duplicate ids for every index kind, a plugin with no check of its own and a loaded index included', async () => {
    // A plugin index that keeps whatever it is given: the check is defineIndex's, not the implementation's.
    const plain = (dim: number, ids: string[] = []): VectorIndex => ({
      dim,
      get size() {
        return ids.length;
      },
      add: (_v, more) => void ids.push(...more),
      search: async () => [],
      save: async () => {},
      idOf: (r) => ids[r]!,
    });
    const kind = defineIndex({ name: 'plain', build: (dim) => plain(dim), load: async () => plain(2, ['a', 'b']) })();
    const built = kind.build(2);
    expect(() => built.add(new Float32Array(4), ['x', 'x'])).toThrow(new IndexError("plain index: id 'x' is already in the index"));
    expect(built.size).toBe(0);
    built.add(new Float32Array(2), ['x']);
    expect(() => built.add(new Float32Array(4), ['y', 'x'])).toThrow("plain index: id 'x' is already in the index");
    built.add(new Float32Array(2), ['y']);
    expect(built.size).toBe(2);
    const loaded = await kind.load('anywhere');
    expect(() => loaded.add(new Float32Array(2), ['b'])).toThrow("plain index: id 'b' is already in the index");
    loaded.add(new Float32Array(2), ['c']);
    expect(loaded.size).toBe(3);
    // A saved flat index loaded into memory knows the ids it was saved with.
    const file = join(tmp('define-'), 'x.index');
    const flat = indexes.create('flat').build(2);
    flat.add(Float32Array.from([1, 0, 0, 1]), ['a', 'b']);
    await flat.save(file);
    const back = await indexes.create('flat').load(file);
    expect(() => back.add(Float32Array.from([1, 1]), ['a'])).toThrow("flat index: id 'a' is already in the index");
    back.add(Float32Array.from([1, 1]), ['c']);
    expect(back.size).toBe(3);
    expect(() => indexes.create('flat-int8').build(2).add(new Float32Array(4), ['z', 'z'])).toThrow("flat-int8 index: id 'z' is already in the index");
  });
});

