import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { indexes } from '../src/index.js';
import { latentRows, latentSpace, recallAt, tmp, unitRows } from './helpers.js';

describe('usearch index (HNSW)', () => {
  it('reaches recall@10 ≥ 0.9 against flat on 2k seeded vectors, for structured and for uniform random data', async () => {
    const gen = new Generator(3);
    const d = 64, n = 2000, nq = 100, k = 10;
    const space = latentSpace(d, 12, gen);
    for (const [corpus, queries] of [
      [latentRows(n, d, gen, space, 12), latentRows(nq, d, gen, space, 12)],
      [unitRows(n, d, gen), unitRows(nq, d, gen)],
    ] as const) {
      const ids = Array.from({ length: n }, (_, i) => `d${i}`);
      const flat = indexes.create('flat').build(d);
      flat.add(corpus, ids);
      const hnsw = indexes.create('hnsw').build(d);
      hnsw.add(corpus.subarray(0, 1000 * d), ids.slice(0, 1000));
      hnsw.add(corpus.subarray(1000 * d), ids.slice(1000));
      const exact = await flat.searchNeighbors!(queries, k);
      const found = await hnsw.searchNeighbors!(queries, k);
      expect(recallAt(exact.rows, found.rows, nq, k)).toBeGreaterThanOrEqual(0.9);
      // Scores are inner products (1 − usearch's IP distance).
      const r0 = found.rows[0]!;
      let ip = 0;
      for (let j = 0; j < d; j++) ip += queries[j]! * corpus[r0 * d + j]!;
      expect(found.scores[0]).toBeCloseTo(ip, 5);
      const hits = await hnsw.search(queries.subarray(0, d), 3);
      expect(hits[0]!.ids).toEqual(Array.from(found.rows.subarray(0, 3), (r) => ids[r]));
    }
  });

  it('saves atomically to one file and loads back with the same answers; options are checked', async () => {
    const gen = new Generator(4);
    const d = 16, corpus = unitRows(300, d, gen), queries = unitRows(5, d, gen);
    const index = indexes.create({ name: 'usearch', connectivity: 8, expansionAdd: 64 }).build(d);
    index.add(corpus, Array.from({ length: 300 }, (_, i) => `x${i}`));
    const dir = tmp('usearch-');
    const file = join(dir, 'corpus.usearch');
    await index.save(file, { corpus_fingerprint: 'f' });
    expect(readdirSync(dir)).toEqual(['corpus.usearch']);
    const back = await indexes.create('usearch').load(file);
    expect(back.size).toBe(300);
    expect(back.metadata?.corpus_fingerprint).toBe('f');
    expect(await back.search(queries, 5)).toEqual(await index.search(queries, 5));
    expect(() => index.add(corpus.subarray(0, d), ['x3'])).toThrow("usearch index: id 'x3' is already in the index");
    expect(() => indexes.create({ name: 'usearch', connectivity: 0 })).toThrow(/option 'connectivity' must be an integer > 0/);
    expect(await indexes.create('usearch').build(4).search(new Float32Array(4), 2)).toEqual([{ ids: [], scores: new Float32Array(0) }]);
  });
});
