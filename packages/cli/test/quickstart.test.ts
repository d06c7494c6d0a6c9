import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/index.js';
import { scratch, stepLosses } from './helpers.js';

/**
 * The issue's bar on a small slice: build-hn on the WordNet train split with the round-1 model, a
 * second round on the mined file, dev nDCG@10 of rounds 0, 1 and 2 reported. The slice, steps and
 * from-scratch model are as small as still learns (CI runs this beside other suites on 2 cores): a
 * one-layer, 64-wide BERT with a 2,048-word vocabulary on 200 synsets. It stays at the uniform loss
 * (ln 8 for a batch of 8) for about 20 steps before it breaks symmetry, hence 40 steps at 5e-3;
 * with 12, round 1's loss did not fall on any seed tried.
 */
const SMALL = { hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 128, max_position_embeddings: 32 };

describe('retrievals quickstart on a small WordNet slice', () => {
  it('trains, mines hard negatives with the fine-tuned model, trains again and reports each round', async () => {
    const dir = scratch('quickstart');
    const lines: string[] = [];
    const r = await runQuickstart({ outputDir: dir, maxSynsets: 200, steps: 40, hnSteps: 8, batchSize: 8, learningRate: 5e-3, scratchConfig: SMALL, vocabSize: 2048, maxLengths: [16, 16], negativeNumber: 2, rangeForSampling: [1, 20], progress: 'none', log: (l) => lines.push(l) });
    expect(r.rounds.map((x) => x.name)).toEqual(['round 0 (from scratch)', 'round 1 (in-batch negatives)', 'round 2 (mined hard negatives)']);
    for (const round of r.rounds) expect(round.dev['ndcg@10']).toBeGreaterThanOrEqual(0);
    // On a slice this small dev nDCG moves by noise (about 20 queries); what must hold is that each round learns: its logged loss falls.
    for (const round of ['round-1', 'round-2']) {
      const logged = stepLosses(join(dir, round));
      expect(logged.length, round).toBeGreaterThanOrEqual(2);
      expect(logged[logged.length - 1]!, round).toBeLessThan(logged[0]!);
    }
    const mined = readFileSync(join(dir, 'train-hn.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { query: string; positive: string | string[]; negative: string[] });
    expect(mined).toHaveLength(r.task.splits.train.queries);
    for (const row of mined.slice(0, 50)) {
      expect(row.negative).toHaveLength(2);
      expect(row.negative).not.toContain(Array.isArray(row.positive) ? row.positive[0] : row.positive);
    }
    const text = lines.join('\n');
    expect(text).toMatch(/round 2 \(mined hard negatives\) +\d\.\d{4} /);
    expect(text).toMatch(/cosine similarities of four dev definitions/);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).rounds).toHaveLength(3);
    expect(existsSync(join(dir, 'round-2', 'model.safetensors'))).toBe(true);
    const model = await AutoModelForEmbedding.fromPretrained(join(dir, 'round-2'));
    expect(model.poolingMethod).toBe('mean');
    await model.dispose();
    // The whole loop (task, two trainings, mining, three evaluations): ~5 s alone, ~11 s beside another suite.
  }, 60_000);
});
