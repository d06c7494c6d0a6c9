import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, readSafetensors } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHardNegatives, encodeShard, indexes, mergeShardHits, MiningError, parseShard, readShardHits, searchShard, shardRange } from '../src/index.js';
import { tableModel, tmp, writeJsonl } from './helpers.js';

describe('parseShard / shardRange', () => {
  it('parses i/N and splits n rows into N contiguous near-equal ranges', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('4/4')).toThrow(new MiningError('shard: index 4 is out of range for 4 shards (0..3), got "4/4"'));
    expect(() => parseShard('0/0')).toThrow(/the shard count must be at least 1/);
    expect(() => parseShard('1-4')).toThrow(/expected "i\/N"/);
    expect(() => parseShard('-1/4')).toThrow(/expected "i\/N"/);
    const n = 10;
    const ranges = [0, 1, 2, 3].map((index) => shardRange({ index, count: 4 }, n));
    expect(ranges).toEqual([[0, 2], [2, 5], [5, 7], [7, 10]]);
    expect(shardRange({ index: 2, count: 3 }, 2)).toEqual([1, 2]);
  });
});

describe('sharded mining equals single-machine mining', () => {
  let model: AutoModelForEmbedding;
  const dir = tmp('shards-');
  const words = 'fox dog cat bird fish tree river stone cloud rain sun moon star road house car boat train city field'.split(' ');
  const gen = new Generator(2);
  const sentence = (n: number) => Array.from({ length: n }, () => words[gen.int(words.length)]).join(' ');
  const rows = Array.from({ length: 24 }, () => ({ query: `q ${sentence(4)}`, pos: sentence(8) }));
  const docs = [...rows.map((r) => ({ text: r.pos })), ...Array.from({ length: 90 }, (_, i) => (i % 4 ? { text: sentence(5 + (i % 4)) } : { title: sentence(2), text: sentence(6) }))];
  // Exact ties across shard boundaries: the same document at rows 3, 40, 77 and 110 (distinct ids).
  for (const at of [40, 77, 110]) docs.splice(at, 0, docs[3]!);
  const input = writeJsonl(join(dir, 'train.jsonl'), rows);
  const pool = writeJsonl(join(dir, 'pool.jsonl'), docs.map((d, i) => ({ id: `doc-${i}`, ...d })));

  beforeAll(async () => {
    model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean' });
  });
  afterAll(async () => model.dispose());

  it('encodeShard writes one safetensors file per shard, idempotently (same bytes; a complete shard is left alone)', async () => {
    const file = join(dir, 'one.safetensors');
    const r = await encodeShard({ model, inputFile: pool, outputFile: file, shard: '1/4' });
    expect(r).toMatchObject({ rows: 29, rowStart: 29, rowEnd: 58, totalRows: 117, reused: false });
    const bytes = readFileSync(file);
    const { tensors, metadata } = readSafetensors(file);
    expect(tensors.get('embeddings')!.shape).toEqual([29, 32]);
    expect(metadata).toMatchObject({ shard: '1/4', row_start: '29', row_end: '58', total_rows: '117', normalized: 'true', kind: 'flat', dim: '32' });
    expect(JSON.parse(metadata.ids!)[0]).toBe('doc-29');
    const mtime = statSync(file).mtimeMs;
    const again = await encodeShard({ model, inputFile: pool, outputFile: file, shard: parseShard('1/4') });
    expect(again.reused).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
    // Another run from scratch writes exactly the same bytes.
    const other = join(dir, 'one-again.safetensors');
    await encodeShard({ model, inputFile: pool, outputFile: other, shard: '1/4' });
    expect(readFileSync(other).equals(bytes)).toBe(true);
    // A shard file is a flat index.
    const index = await indexes.create('flat').load(file);
    expect(index.size).toBe(29);
  });

  it('shards 0..3 searched and merged give the same output file as the whole corpus, ties included', async () => {
    const shards = [];
    for (let i = 0; i < 4; i++) shards.push((await encodeShard({ model, inputFile: pool, outputFile: join(dir, `s${i}.safetensors`), shard: `${i}/4` })).file);
    const base = { model, inputFile: input, candidatePool: pool, rangeForSampling: [1, 40] as [number, number], negativeNumber: 6, outputScores: true };
    const whole = await buildHardNegatives({ ...base, outputFile: join(dir, 'whole.jsonl') });
    const sharded = await buildHardNegatives({ ...base, outputFile: join(dir, 'sharded.jsonl'), corpusShards: [...shards].reverse() });
    expect(sharded.index.shards).toBe(4);
    expect(readFileSync(join(dir, 'sharded.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'whole.jsonl'), 'utf8'));
    expect(sharded.removed).toEqual(whole.removed);
    expect(whole.removed.duplicates).toBeGreaterThan(0);

    // The distributed form: map steps write hits files (queries shipped as a file), the reduce merges them.
    const queryFile = join(dir, 'queries.safetensors');
    await buildHardNegatives({ ...base, outputFile: join(dir, 'q.jsonl'), queryEmbeddingsFile: queryFile });
    const hitFiles = [];
    for (let i = 0; i < 4; i++) {
      const out = join(dir, `hits${i}.safetensors`);
      await searchShard({ shard: shards[i]!, queries: queryFile, k: 52, outputFile: out });
      hitFiles.push(out);
    }
    expect(readShardHits(hitFiles[2]!)).toMatchObject({ rowStart: 58, rowEnd: 87, totalRows: 117, k: 52 });
    await buildHardNegatives({ ...base, outputFile: join(dir, 'reduced.jsonl'), shardHits: hitFiles, queryEmbeddingsFile: queryFile });
    expect(readFileSync(join(dir, 'reduced.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'whole.jsonl'), 'utf8'));

    // Ties at the same score go to the earlier row, across shards.
    const merged = mergeShardHits(hitFiles);
    const tied = new Set([3, 40, 77, 110]);
    for (let q = 0; q < merged.queries; q++) {
      const list = Array.from(merged.rows.subarray(q * merged.k, (q + 1) * merged.k));
      const pos = list.filter((r) => tied.has(r));
      expect(pos).toEqual([...pos].sort((a, b) => a - b));
    }
  });

  it('refuses shards that do not tile the corpus or come from another corpus or model', async () => {
    const shards = [0, 1, 2, 3].map((i) => join(dir, `s${i}.safetensors`));
    const base = { model, inputFile: input, candidatePool: pool, outputFile: join(dir, 'x.jsonl') };
    await expect(buildHardNegatives({ ...base, corpusShards: [shards[0]!, shards[1]!, shards[3]!] })).rejects.toThrow(/rows 58\.\.86 of 117 are in no shard given/);
    await expect(buildHardNegatives({ ...base, corpusShards: [...shards, shards[2]!] })).rejects.toThrow(/overlaps a shard before it/);
    await expect(buildHardNegatives({ ...base, corpusShards: shards, documentInstruction: 'passage: ' })).rejects.toThrow(/encoded with another model, document instruction or normalisation/);
    const otherPool = writeJsonl(join(dir, 'other.jsonl'), docs.map((d, i) => ({ id: `x-${i}`, ...d })));
    await expect(buildHardNegatives({ ...base, candidatePool: otherPool, corpusShards: shards })).rejects.toThrow(/another corpus than the candidate pool/);
    await expect(buildHardNegatives({ ...base, candidatePool: undefined, corpusShards: shards })).rejects.toThrow(/need the candidatePool/);
  });

  it('refuses shard hits searched shallower than the run needs, naming the file and its k', async () => {
    const shards = [0, 1, 2, 3].map((i) => join(dir, `s${i}.safetensors`));
    const queryFile = join(dir, 'queries.safetensors');
    const shallow: string[] = [];
    for (let i = 0; i < 4; i++) {
      const out = join(dir, `shallow${i}.safetensors`);
      await searchShard({ shard: shards[i]!, queries: queryFile, k: i === 2 ? 20 : 52, outputFile: out });
      shallow.push(out);
    }
    const base = { model, inputFile: input, candidatePool: pool, outputFile: join(dir, 'shallow.jsonl'), negativeNumber: 6, queryEmbeddingsFile: queryFile };
    // Range [1, 40]: every shard must have been searched to 40 at least (the range's hi).
    await expect(buildHardNegatives({ ...base, rangeForSampling: [1, 40], shardHits: [...shallow].reverse() })).rejects.toThrow(
      new MiningError(`mergeShardHits: ${shallow[2]} was searched to k 20, below the 40 this run needs (search the shard again with k of at least the search depth)`),
    );
    expect(() => mergeShardHits(shallow, { minK: 21 })).toThrow(/shallow2\.safetensors was searched to k 20, below the 21/);
    // A range within what every shard searched still merges (to the smallest k).
    await buildHardNegatives({ ...base, rangeForSampling: [1, 18], shardHits: shallow });
    expect(mergeShardHits(shallow).k).toBe(20);
  });

  it('works the same with a model double and tiny shards (more shards than some have rows)', async () => {
    const m = tableModel({}, 6);
    const smallPool = writeJsonl(join(dir, 'small.jsonl'), Array.from({ length: 5 }, (_, i) => ({ text: `p${i}` })));
    const smallIn = writeJsonl(join(dir, 'small-in.jsonl'), [{ query: 'p0', pos: 'p1' }, { query: 'zz', pos: ['p2', 'p3'] }]);
    const files: string[] = [];
    for (let i = 0; i < 7; i++) files.push((await encodeShard({ model: m, inputFile: smallPool, outputFile: join(dir, `t${i}.safetensors`), shard: `${i}/7` })).file);
    const o = { model: m, inputFile: smallIn, candidatePool: smallPool, rangeForSampling: [0, 3] as [number, number], negativeNumber: 2 };
    await buildHardNegatives({ ...o, outputFile: join(dir, 't-whole.jsonl') });
    await buildHardNegatives({ ...o, outputFile: join(dir, 't-shards.jsonl'), corpusShards: files });
    expect(readFileSync(join(dir, 't-shards.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 't-whole.jsonl'), 'utf8'));
    // Empty shards tie non-empty ones on rowStart ([0, 0) and [0, 1), [2, 2) and [2, 3)): any order of the files tiles the corpus.
    for (const order of [[...files].reverse(), [4, 1, 6, 0, 3, 5, 2].map((i) => files[i]!)]) {
      await buildHardNegatives({ ...o, outputFile: join(dir, 't-shuffled.jsonl'), corpusShards: order });
      expect(readFileSync(join(dir, 't-shuffled.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 't-whole.jsonl'), 'utf8'));
    }
  });
});
