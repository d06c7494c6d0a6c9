import { join } from 'node:path';
import { readSafetensors } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, initializeModelFolder } from '../src/index.js';
import { cleanupFolders, tempFolder } from './helpers/folders.js';

afterAll(cleanupFolders);

describe('initializeModelFolder', () => {
  it('writes a folder that loads, with transformers-style initial weights', async () => {
    const config = { model_type: 'bert', vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, max_position_embeddings: 64, initializer_range: 0.05 };
    const dir = initializeModelFolder(tempFolder(), { config, tokenizerFrom: fixturePath('bert-tiny'), seed: 3 });
    const tensors = readSafetensors(join(dir, 'model.safetensors')).tensors;
    const values = (n: string) => Array.from(tensors.get(n)!.data as Float32Array);
    expect(values('encoder.layer.0.output.LayerNorm.weight').every((v) => v === 1)).toBe(true);
    expect(values('encoder.layer.0.attention.self.query.bias').every((v) => v === 0)).toBe(true);
    const w = values('encoder.layer.1.intermediate.dense.weight');
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.045);
    expect(std).toBeLessThan(0.055);
    const m = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean' });
    expect((await m.encode('hello world')).length).toBe(64);
    expect(() => initializeModelFolder(tempFolder(), { config: { model_type: 'gpt9' }, tokenizerFrom: fixturePath('bert-tiny') })).toThrow(/model_type' is "gpt9"; known: bert/);
  });
});
