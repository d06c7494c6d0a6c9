// tools/example-index, installed as a config's plugin would be: loadPlugins by package name into
// hard-negatives' indexes registry, then used through the registry like the built-in flat index.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, loadPlugins, OptionError } from '@retrievals/core-tensor';
import { LshIndex } from '@retrievals/example-index';
import { IndexError, indexes } from '@retrievals/hard-negatives';
import { AutoModelForEmbedding } from '@retrievals/models';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HERE, ROOT } from '../markdown.js';

const dir = mkdtempSync(join(tmpdir(), 'example-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const loaded = await loadPlugins(['@retrievals/example-index'], { indexes }, { baseDir: HERE });
  expect(loaded.map((p) => p.name)).toEqual(['@retrievals/example-index']);
});

/** n unit vectors around `clusters` centres: neighbours are well separated, so top-k is unambiguous. */
function clustered(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const gen = new Generator(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => gen.normal()));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[i % clusters]!;
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += (out[i * dim + j] = c[j]! + 0.3 * gen.normal()) ** 2;
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(norm);
  }
  return out;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `doc-${i}`);

describe('example-lsh', () => {
  test('is registered by name, with the plugin as its source', () => {
    expect(indexes.list()).toContain('example-lsh');
    expect(indexes.sourceOf('example-lsh')).toBe('@retrievals/example-index');
  });

  test('finds the same top-k as the exact flat index', async () => {
    const dim = 24, n = 600, k = 10;
    const all = clustered(n + 40, dim, 30, 1); // queries from the corpus's clusters
    const corpus = all.subarray(0, n * dim), queries = all.subarray(n * dim);
    const lsh = indexes.create({ name: 'example-lsh', bits: 128, oversample: 8 }).build(dim);
    const flat = indexes.create('flat').build(dim);
    lsh.add(corpus.subarray(0, 300 * dim), ids(n).slice(0, 300)); // two adds: appending works
    lsh.add(corpus.subarray(300 * dim), ids(n).slice(300));
    flat.add(corpus, ids(n));
    expect(lsh.size).toBe(n);
    const [got, want] = [await lsh.search(queries, k), await flat.search(queries, k)];
    let hits = 0;
    got.forEach((hit, q) => {
      hits += hit.ids.filter((id) => want[q]!.ids.includes(id)).length;
      // what it returns is rescored exactly: scores are the true inner products, best first
      for (let i = 1; i < hit.scores.length; i++) expect(hit.scores[i]!).toBeLessThanOrEqual(hit.scores[i - 1]!);
      hit.ids.forEach((id, i) => {
        const r = Number(id.slice(4));
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += queries[q * dim + j]! * corpus[r * dim + j]!;
        expect(hit.scores[i]).toBeCloseTo(dot, 5);
      });
    });
    expect(hits / (40 * k)).toBeGreaterThanOrEqual(0.95);
  });

  test('rescoring every row (candidates ≥ size) is exact', async () => {
    const dim = 16, n = 200;
    const all = clustered(n + 12, dim, 10, 3);
    const corpus = all.subarray(0, n * dim), queries = all.subarray(n * dim);
    const lsh = indexes.create({ name: 'example-lsh', bits: 16, candidates: n }).build(dim);
    const flat = indexes.create('flat').build(dim);
    lsh.add(corpus, ids(n));
    flat.add(corpus, ids(n));
    const [got, want] = [await lsh.search(queries, 5), await flat.search(queries, 5)];
    expect(got.map((h) => h.ids)).toEqual(want.map((h) => h.ids));
    got.forEach((h, q) => h.scores.forEach((s, i) => expect(s).toBeCloseTo(want[q]!.scores[i]!, 5)));
    expect((await lsh.search(queries.subarray(0, dim), 500))[0]!.ids).toHaveLength(n); // k > size: all of them
  });

  test('finds each text of a bert-tiny corpus as its own nearest neighbour', async () => {
    const model = await AutoModelForEmbedding.fromPretrained(join(ROOT, 'fixtures/bert-tiny'), { poolingMethod: 'mean', normalize: true });
    const texts = ['the quick brown fox', 'a lazy dog sleeps', 'hello world', 'stocks fell sharply today', 'rain is expected tomorrow', 'the cat sat on the mat', 'new phone released', 'a recipe for bread'];
    const emb = await model.encode(texts);
    const index = indexes.create('example-lsh').build(emb.dims[1]);
    index.add(emb.data as Float32Array, texts);
    const hits = await index.search(emb.data as Float32Array, 1);
    expect(hits.map((h) => h.ids[0])).toEqual(texts);
    await model.dispose();
  });

  test('save and load round-trip: the loaded index answers the same', async () => {
    const dim = 12, n = 150;
    const all = clustered(n + 9, dim, 15, 5);
    const corpus = all.subarray(0, n * dim), queries = all.subarray(n * dim);
    const kind = indexes.create({ name: 'example-lsh', bits: 40, seed: 7 });
    const index = kind.build(dim);
    index.add(corpus, ids(n));
    const path = join(dir, 'corpus.lsh');
    await index.save(path);
    const loaded = await kind.load(path);
    expect([loaded.dim, loaded.size]).toEqual([dim, n]);
    expect(await loaded.search(queries, 7)).toEqual(await index.search(queries, 7));
    // the seed and bits travel with the file: a kind made with other options loads it identically
    const other = await indexes.create({ name: 'example-lsh', seed: 99, bits: 8 }).load(path);
    expect(await other.search(queries, 7)).toEqual(await index.search(queries, 7));
  });

  test('the class keeps the caller\'s metadata through save and load, and maps rows to ids', async () => {
    const index = new LshIndex(2, 8, 1, 10, 64);
    index.add(new Float32Array([1, 0, 0, 1]), ['a', 'b']);
    const path = join(dir, 'meta.lsh');
    await index.save(path, { model: 'bert-tiny', fingerprint: 'abc' });
    const loaded = await LshIndex.load(path, 10, 64);
    expect(loaded.metadata).toEqual({ model: 'bert-tiny', fingerprint: 'abc' });
    expect([loaded.idOf(0), loaded.idOf(1)]).toEqual(['a', 'b']);
    expect(() => loaded.idOf(2)).toThrow(/no row 2/);
  });

  test('save is atomic: it replaces the file whole and leaves no temporary file', async () => {
    const path = join(dir, 'atomic.lsh');
    writeFileSync(path, 'previous contents');
    const index = indexes.create('example-lsh').build(4);
    index.add(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]), ['a', 'b']);
    await index.save(path);
    expect((await indexes.create('example-lsh').load(path)).size).toBe(2);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // a folder that does not exist: an IndexError naming the path
    await expect(index.save(join(dir, 'missing', 'x.lsh'))).rejects.toThrow(/missing\/x\.lsh: cannot write the example-lsh index/);
  });

  test('a truncated, foreign or missing file is an IndexError naming it', async () => {
    const index = indexes.create('example-lsh').build(3);
    index.add(new Float32Array([1, 2, 3, 4, 5, 6]), ['a', 'b']);
    const path = join(dir, 'good.lsh');
    await index.save(path);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.lsh'), bytes.subarray(0, bytes.length - 5));
    const kind = indexes.create('example-lsh');
    await expect(kind.load(join(dir, 'cut.lsh'))).rejects.toThrow(/cut\.lsh: 2 vectors of dim 3 need 24 bytes, the file has 19/);
    const flat = indexes.create('flat').build(3);
    flat.add(new Float32Array([1, 2, 3]), ['a']);
    await flat.save(join(dir, 'flat.index'));
    await expect(kind.load(join(dir, 'flat.index'))).rejects.toThrow(/not an example-lsh index file/);
    await expect(kind.load(join(dir, 'nope.lsh'))).rejects.toThrow(IndexError);
  });

  test('inputs and options are checked by defineIndex, duplicates by the index', async () => {
    expect(() => indexes.create({ name: 'example-lsh', bits: 0 })).toThrow(OptionError);
    expect(() => indexes.create({ name: 'example-lsh', bitz: 8 })).toThrow(/bitz/);
    const index = indexes.create('example-lsh').build(2);
    expect(() => index.add(new Float32Array([1, 2, 3]), ['a'])).toThrow(/not a multiple of dim 2/);
    expect(() => index.add(new Float32Array([1, NaN]), ['a'])).toThrow(IndexError);
    index.add(new Float32Array([1, 2]), ['a']);
    expect(() => index.add(new Float32Array([3, 4]), ['a'])).toThrow(/'a' is already in the index/);
    await expect(async () => index.search(new Float32Array([1, 0]), 0)).rejects.toThrow(/k must be a positive integer/);
  });
});
