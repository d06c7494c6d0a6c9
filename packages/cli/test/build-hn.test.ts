import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '@retrievals/core-tensor';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { run, scratch } from './helpers.js';

ensureFixtures();
const dir = scratch('build-hn');
const bert = fixturePath('bert-tiny');
const TEXTS = [
  'the cat sat on the mat', 'a dog walks in the park', 'paris is the capital of france', 'coffee and tea in the morning', 'the sun is hot and sunny today',
  'we sing songs and play music at night', 'machine learning models learn vectors', 'search engines rank relevant documents', 'the quick brown fox jumps over the lazy dog',
  'berlin is the capital of germany', 'water boils at 100 degrees', 'she reads books in the library', 'the moon is above the sea', 'people live in the big city',
  'dense vectors and cosine similarity', 'hard negatives for retrieval', 'it is raining again', 'how many books are there', 'the black cat and the green tea', 'two questions and two answers',
];
const input = join(dir, 't2_ranking.jsonl');
writeFileSync(input, TEXTS.slice(0, 10).map((t, i) => JSON.stringify({ query: `${t} ${i}`, positive: [t] })).join('\n') + '\n');
const pool = join(dir, 'pool.jsonl');
writeFileSync(pool, TEXTS.map((text) => JSON.stringify({ text })).join('\n') + '\n');
const rows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { query: string; positive: string[]; negative: string[] });

describe("retrievals build-hn (the seed's flags)", () => {
  it('writes each row with negatives from the rank range, never its positive or its query', async () => {
    const output = join(dir, 't2_ranking_hn.jsonl');
    const r = await run('build-hn', '--model_name_or_path', bert, '--input_file', input, '--output_file', output, '--candidate_pool', pool, '--positive_key', 'positive', '--negative_key', 'negative', '--range_for_sampling', '2-15', '--negative_number', '3', '--quiet');
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    const out = rows(output);
    expect(out).toHaveLength(10);
    for (const row of out) {
      expect(row.negative).toHaveLength(3);
      for (const n of row.negative) expect([...row.positive, row.query]).not.toContain(n);
      expect(new Set(row.negative).size).toBe(3);
    }
  });

  it('encode --shard i/N writes each shard; build-hn --corpus_shards mines the same rows from them', async () => {
    const shards = [0, 1].map((i) => join(dir, `pool-${i}.safetensors`));
    for (const [i, file] of shards.entries()) {
      const r = await run('encode', '--model_name_or_path', bert, '--input', pool, '--output', file, '--shard', `${i}/2`, '--quiet');
      expect(r.error).toBe('');
      expect(r.code).toBe(0);
    }
    const sizes = shards.map((f) => [...readSafetensors(f).tensors.values()].find((t) => t.shape.length === 2)!.shape[0]!);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(TEXTS.length);
    const direct = join(dir, 'direct.jsonl'), sharded = join(dir, 'sharded.jsonl');
    const common = ['--model_name_or_path', bert, '--input_file', input, '--candidate_pool', pool, '--range_for_sampling', '2-15', '--negative_number', '3', '--quiet'];
    expect((await run('build-hn', ...common, '--output_file', direct)).code).toBe(0);
    const r = await run('build-hn', ...common, '--output_file', sharded, '--corpus_shards', shards.join(','));
    expect(r.error).toBe('');
    expect(rows(sharded)).toEqual(rows(direct));
  });

  it('build-hn takes the model flags of encode: shards encoded with --add_eos are used by build-hn --corpus_shards --add_eos', async () => {
    const shards = [0, 1].map((i) => join(dir, `eos-${i}.safetensors`));
    for (const [i, file] of shards.entries()) {
      const r = await run('encode', '--model_name_or_path', bert, '--add_eos', '--input', pool, '--output', file, '--shard', `${i}/2`, '--quiet');
      expect(r.error).toBe('');
      expect(r.code).toBe(0);
    }
    const common = ['--model_name_or_path', bert, '--input_file', input, '--candidate_pool', pool, '--range_for_sampling', '2-15', '--negative_number', '3', '--quiet', '--corpus_shards', shards.join(',')];
    const r = await run('build-hn', ...common, '--add_eos', '--output_file', join(dir, 'eos.jsonl'));
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    expect(rows(join(dir, 'eos.jsonl'))).toHaveLength(10);
    // Without the flag the model is another one: the shards are refused, not silently mixed.
    const other = await run('build-hn', ...common, '--output_file', join(dir, 'no-eos.jsonl'));
    expect(other.code).not.toBe(0);
    expect(other.error).toMatch(/encoded with another model/);
  });

  it('encode --shard: --normalize false reaches the shard; --truncate_dim, --precision and --as query are usage errors', async () => {
    const file = join(dir, 'raw-0.safetensors');
    const r = await run('encode', '--model_name_or_path', bert, '--normalize', 'false', '--input', pool, '--output', file, '--shard', '0/1', '--quiet');
    expect(r.error).toBe('');
    const t = [...readSafetensors(file).tensors.values()].find((x) => x.shape.length === 2)!;
    const data = t.data as Float32Array, dim = t.shape[1]!;
    const norm = Math.hypot(...data.subarray(0, dim));
    expect(Math.abs(norm - 1)).toBeGreaterThan(1e-3);
    const shard = ['--model_name_or_path', bert, '--input', pool, '--output', join(dir, 'bad.safetensors'), '--shard', '0/2'];
    for (const [flag, value] of [['--truncate_dim', '4'], ['--precision', 'int8'], ['--as', 'query']] as const) {
      const e = await run('encode', ...shard, flag, value);
      expect(e.code).toBe(2);
      expect(e.error).toMatch(new RegExp(`encode: --shard writes full-dimension float32 document embeddings; ${flag} .*cannot be used with it`));
    }
    expect((await run('encode', ...shard, '--as', 'document', '--precision', 'float32', '--quiet')).code).toBe(0);
  });

  it('refuses an output that is the input, and an unknown index lists the known ones, before any work', async () => {
    expect((await run('build-hn', '--model_name_or_path', bert, '--input_file', input, '--output_file', input)).error).toMatch(/outputFile .* is the inputFile; writing it would destroy it/);
    expect((await run('encode', '--model_name_or_path', '/no/model', '--input', pool, '--output', join(dir, 's.safetensors'), '--shard', '2/2')).error).toMatch(/2\/2/);
    expect((await run('build-hn', '--model_name_or_path', '/no/model', '--input_file', input, '--output_file', join(dir, 'x.jsonl'), '--index', 'faiss')).error).toMatch(/unknown vector index 'faiss'; known: .*flat/);
  });
});
