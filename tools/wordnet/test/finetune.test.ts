import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { buildWordnetTask, finetuneOnTask } from '../src/index.js';

const STORIES = resolve(import.meta.dirname, '../../../../shared/models/stories260K');

/**
 * The bar of issue 10 on a small slice (1,500 synsets: 1,202 train pairs, 158 dev queries): fine-tuning
 * raises dev nDCG@10 by a set margin. With EOS appended (as e5-mistral does), the last token has
 * read the whole text; without it, last-token pooling of this small LM collapsed to equal embeddings.
 */
describe('fine-tuning on the WordNet task', () => {
  it('stories260K (LoRA, EOS + last-token pooling, instructions) raises dev nDCG@10 by ≥ 0.02', async () => {
    if (!existsSync(STORIES)) {
      console.log(`skipped: ${STORIES} is missing (../shared/models/stories260K)`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'wordnet-ft-'));
    await buildWordnetTask({ outDir: join(dir, 'task'), maxSynsets: 1500, seed: 42 });
    const model = await AutoModelForEmbedding.fromPretrained(STORIES, { poolingMethod: 'last', addEos: true, queryInstruction: 'Definition: ', documentInstruction: 'Word: ' });
    const r = await finetuneOnTask(model, { taskDir: join(dir, 'task'), outputDir: join(dir, 'out'), maxSteps: 100, batchSize: 32, learningRate: 3e-3, useLora: true, maxLengths: [32, 48] });
    console.log(`stories260K LoRA, 100 steps: dev ndcg@10 ${r.before['ndcg@10']!.toFixed(4)} → ${r.after['ndcg@10']!.toFixed(4)}`);
    // Measured here: 0.0222 → 0.0599 at 100 steps (0.0650 at 200, which cost 100 s of CI) (seeded, so only arithmetic differences between CPUs move it).
    expect(r.after['ndcg@10']!).toBeGreaterThan(r.before['ndcg@10']! + 0.02);
  }, 240_000);
});
