import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel, type OnnxGraph } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, ModelNotFoundError, OnnxModelError } from '../src/index.js';
import { cleanupFolders, copyFixtureFiles, onnxOnlyFolder, tempFolder } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

afterAll(cleanupFolders);

const VOCAB = 286, H = 4;
const TABLE = Float32Array.from({ length: VOCAB * H }, (_, i) => Math.sin(i));

/**
 * A hand-written graph with dynamic axes, as Hugging Face exports have: last_hidden_state =
 * embedding(input_ids) + token_type_ids, so the test can check every input arrives where it should.
 */
function dynamicGraph(opts: { idsType?: 'int64' | 'int32'; extraInput?: string } = {}): Uint8Array {
  const idsType = opts.idsType ?? 'int64';
  const graph: OnnxGraph = {
    name: 'dynamic',
    opset: 17,
    initializers: [{ name: 'table', dtype: 'float32', dims: [VOCAB, H], data: TABLE }],
    inputs: [
      { name: 'input_ids', dtype: idsType, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', dtype: idsType, dims: ['batch', 'sequence'] },
      { name: 'token_type_ids', dtype: idsType, dims: ['batch', 'sequence'] },
      ...(opts.extraInput ? [{ name: opts.extraInput, dtype: 'float32' as const, dims: ['batch', 2, 'sequence', 8] }] : []),
    ],
    outputs: [{ name: 'last_hidden_state', dtype: 'float32', dims: ['batch', 'sequence', H] }],
    nodes: [
      { op: 'Gather', inputs: ['table', 'input_ids'], outputs: ['emb'], attrs: { axis: 0 } },
      { op: 'Cast', inputs: ['token_type_ids'], outputs: ['tt'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['tt', 'axes'], outputs: ['tt3'] },
      { op: 'Add', inputs: ['emb', 'tt3'], outputs: ['last_hidden_state'] },
    ],
  };
  graph.initializers.push({ name: 'axes', dtype: 'int64', dims: [1], data: BigInt64Array.from([2n]) });
  return encodeModel(graph);
}

function onnxFolder(model: Uint8Array, withConfig = true, file = 'onnx/model.onnx'): string {
  const dir = tempFolder();
  copyFixtureFiles('bert-tiny', dir, withConfig ? ['config.json', 'tokenizer.json', 'tokenizer_config.json'] : ['tokenizer.json', 'tokenizer_config.json']);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, file), model);
  // The toy graph's hidden size is H, and the runtime checks the output against config.json's.
  if (withConfig) writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), hidden_size: H }));
  return dir;
}

describe('onnx runtime', () => {
  it('is chosen when the folder has only an ONNX export, with dynamic axes and no config.json', async () => {
    for (const withConfig of [true, false]) {
      const m = await AutoModelForEmbedding.fromPretrained(onnxFolder(dynamicGraph(), withConfig), { poolingMethod: 'mean' });
      expect(m.runtime.name).toBe('onnx');
      expect(m.runtime.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
      const texts = ['hello', 'a longer text here'];
      const e = await m.encode(texts);
      expect(e.dims).toEqual([2, H]);
      // the expected mean of the table rows of each text's ids (token types are all 0)
      texts.forEach((t, r) => {
        const ids = m.tokenizer.encode(t, { maxLength: 128 }).ids;
        const want = Array.from({ length: H }, (_, j) => ids.reduce((s, id) => s + TABLE[id * H + j]!, 0) / ids.length);
        expect(maxAbsDiff(e.row(r), want)).toBeLessThan(1e-6);
      });
      await m.dispose();
    }
  });

  it('feeds int32 inputs when the graph declares them', async () => {
    const a = await AutoModelForEmbedding.fromPretrained(onnxFolder(dynamicGraph({ idsType: 'int32' })), { poolingMethod: 'mean' });
    const b = await AutoModelForEmbedding.fromPretrained(onnxFolder(dynamicGraph()), { poolingMethod: 'mean' });
    expect((await a.encode(['some words'])).data).toEqual((await b.encode(['some words'])).data);
  });

  it('refuses a graph whose hidden size disagrees with config.json', async () => {
    const dir = onnxFolder(dynamicGraph());
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), hidden_size: 2 * H }));
    const m = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean' });
    await expect(m.encode(['hello'])).rejects.toThrow(new RegExp(`output 'last_hidden_state' has ${H} features, but config.json's hidden size is ${2 * H}`));
    await m.dispose();
  });

  it('names inputs it cannot feed, a missing file, and a broken file', async () => {
    await expect(AutoModelForEmbedding.fromPretrained(onnxFolder(dynamicGraph({ extraInput: 'past_key_values.0.key' })))).rejects.toThrow(
      /unsupported graph input 'past_key_values\.0\.key'; expected input_ids, attention_mask, token_type_ids, position_ids/,
    );
    await expect(AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { runtime: 'onnx' })).rejects.toThrow(ModelNotFoundError);
    await expect(AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { runtime: 'onnx' })).rejects.toThrow(/no ONNX model \(looked for onnx\/model\.onnx, model\.onnx, onnx\/model_quantized\.onnx, model_quantized\.onnx\)/);
    const broken = onnxFolder(new Uint8Array([1, 2, 3]));
    await expect(AutoModelForEmbedding.fromPretrained(broken)).rejects.toThrow(OnnxModelError);
    const custom = onnxFolder(dynamicGraph(), true, 'model_quantized.onnx');
    expect((await AutoModelForEmbedding.fromPretrained(custom, { onnxFile: 'model_quantized.onnx' })).runtime.name).toBe('onnx');
  });

  it('pads batches up to a static-shape export (exportOnnx staticShape) and gives the tensor runtime\'s embeddings', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i} ${'word '.repeat(i)}`);
    for (const name of ['bert-tiny', 'llama-tiny'] as const) {
      const tensor = await AutoModelForEmbedding.fromPretrained(fixturePath(name));
      const onnx = await AutoModelForEmbedding.fromPretrained(await onnxOnlyFolder(fixturePath(name), 4, 48));
      expect(onnx.runtime.fixedShape).toEqual({ batch: 4, sequence: 48 });
      expect(onnx.maxLength).toBe(48);
      const a = await tensor.encode(texts, { maxLength: 48 }), b = await onnx.encode(texts, { batchSize: 32 });
      expect(maxAbsDiff(a.data as Float32Array, b.data as Float32Array)).toBeLessThan(1e-5);
      await onnx.dispose();
    }
  });
});
