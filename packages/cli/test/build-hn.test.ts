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

  it('refuses an output that is the input, and an unknown index lists the known ones, before any work', async () => {
    expect((await run('build-hn', '--model_name_or_path', bert, '--input_file', input, '--output_file', input)).error).toMatch(/is the --input_file: writing it would destroy the rows/);
    expect((await run('encode', '--model_name_or_path', '/no/model', '--input', pool, '--output', join(dir, 's.safetensors'), '--shard', '2/2')).error).toMatch(/2\/2/);
    expect((await run('build-hn', '--model_name_or_path', '/no/model', '--input_file', input, '--output_file', join(dir, 'x.jsonl'), '--index', 'faiss')).error).toMatch(/unknown vector index 'faiss'; known: .*flat/);
  });
});
