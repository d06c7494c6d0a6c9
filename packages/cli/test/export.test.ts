import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { run, scratch } from './helpers.js';

ensureFixtures();
const dir = scratch('export');
const bert = fixturePath('bert-tiny');
const TEXTS = ['the cat sat on the mat', 'paris is the capital of france'];

async function embeddings(path: string, options: Record<string, unknown> = {}): Promise<Float32Array> {
  const model = await AutoModelForEmbedding.fromPretrained(path, { poolingMethod: 'mean', ...options });
  try {
    return (await model.encode(TEXTS)).data as Float32Array;
  } finally {
    await model.dispose();
  }
}

describe('retrievals export', () => {
  it('ONNX: the folder reloads on the onnx runtime and embeds as the weights do; int8 too, approximately', async () => {
    const out = join(dir, 'onnx');
    const r = await run('export', '--model_name_or_path', bert, '--output_dir', out, '--format', 'onnx');
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'onnx', 'model.onnx'))).toBe(true);
    const reference = await embeddings(bert);
    const onnx = await embeddings(out, { runtime: 'onnx' });
    expect(Math.max(...onnx.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-4);
    expect((await run('export', '--model_name_or_path', bert, '--output_dir', out, '--quantize', 'int8')).code).toBe(0);
    const int8 = await embeddings(out, { runtime: 'onnx', onnxFile: 'onnx/model_quantized.onnx' });
    expect(Math.max(...int8.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(0.1);
  });

  it('safetensors: a sentence-transformers folder that loads with the pooling it was exported with', async () => {
    const out = join(dir, 'st');
    const r = await run('export', '--model_name_or_path', bert, '--output_dir', out, '--format', 'safetensors', '--pooling_method', 'mean');
    expect(r.code).toBe(0);
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'modules.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const reloaded = await AutoModelForEmbedding.fromPretrained(out);
    expect(reloaded.poolingMethod).toBe('mean');
    await reloaded.dispose();
    expect(Array.from(await embeddings(out))).toEqual(Array.from(await embeddings(bert)));
    expect((await run('export', '--model_name_or_path', bert, '--output_dir', out, '--format', 'safetensors', '--quantize', 'int8')).error).toMatch(/--quantize applies to --format onnx only/);
  });
});
