import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@retrievals/fixtures';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { inferenceGraph } from '../src/export-onnx.js';
import { AutoModelForEmbedding, padBatch, type TokenBatch } from '../src/index.js';
import { cleanupFolders, distilbertFolder, tempFolder } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

afterAll(() => {
  console.table(measured);
  cleanupFolders();
});

// `sideFree`: positions come from the ids or the mask, so left and right padding embed alike.
const CASES: { name: string; folder: () => string; pooling: string; sideFree: boolean }[] = [
  { name: 'bert-tiny', folder: () => fixturePath('bert-tiny'), pooling: 'cls', sideFree: false },
  { name: 'xlmr-tiny', folder: () => fixturePath('xlmr-tiny'), pooling: 'mean', sideFree: true },
  { name: 'distilbert', folder: distilbertFolder, pooling: 'mean', sideFree: false },
  { name: 'llama-tiny', folder: () => fixturePath('llama-tiny'), pooling: 'last', sideFree: true },
  { name: 'qwen2-tiny', folder: () => fixturePath('qwen2-tiny'), pooling: 'last', sideFree: true },
];

/** Measured max |onnx − tensor| per fixture (hidden, embeddings) and min int8 cosine, printed at the end. */
const measured: Record<string, { hidden: string; embeddings: string; int8MinCosine: string }> = {};

// exportGraph traces at batch 5..17 and sequence 7..19 (primes); every size used here differs.
const TRACE_SIZES = [5, 7, 11, 13, 17, 19];
const TEXTS = Array.from({ length: 9 }, (_, i) => `text ${i}: ${'quick brown fox jumps '.repeat(i % 4)}over ${'the lazy dog '.repeat((i * 5) % 7)}`);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) [dot, na, nb] = [dot + a[i]! * b[i]!, na + a[i]! ** 2, nb + b[i]! ** 2];
  return dot / Math.sqrt(na * nb);
}

/** Batches of 1, 2 and 9 rows, bucketed (8, 16, 24 ... tokens) and unbucketed (exact length), both padding sides. */
function batches(m: AutoModelForEmbedding): TokenBatch[] {
  const out: TokenBatch[] = [];
  for (const side of ['left', 'right'] as const) {
    out.push(m.tokenize(TEXTS, { paddingSide: side }), m.tokenize(TEXTS.slice(1, 3), { paddingSide: side }), m.tokenize(TEXTS.slice(0, 1), { paddingSide: side }));
    const encoded = TEXTS.slice(2, 6).map((t) => m.tokenizer.encode(t, { maxLength: 64 }));
    let length = Math.max(...encoded.map((e) => e.ids.length));
    while (TRACE_SIZES.includes(length) || length % 8 === 0) length++;
    out.push(padBatch(encoded, { padId: m.tokenizer.padId, side, length }));
  }
  return out;
}

describe('exportOnnx', () => {
  for (const c of CASES) {
    it(`${c.name}: the export reloads on the onnx runtime and matches the tensor runtime at new sizes, both paddings (float32 1e-5, int8 cosine ≥ 0.99)`, async () => {
      const tensor = await AutoModelForEmbedding.fromPretrained(c.folder(), { poolingMethod: c.pooling });
      const dir = tempFolder();
      const file = await tensor.exportOnnx(dir);
      expect(file).toBe(join(dir, 'onnx', 'model.onnx'));
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(existsSync(join(dir, f))).toBe(true);
      const onnx = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: c.pooling });
      expect(onnx.runtime.name).toBe('onnx');
      expect(onnx.runtime.fixedShape).toBeUndefined();
      expect(onnx.runtime.inputNames).toEqual(tensor.backbone!.inputNames);

      let hidden = 0, embeddings = 0;
      for (const batch of batches(tensor)) {
        const [a, b] = await Promise.all([tensor.lastHiddenState(batch), onnx.lastHiddenState(batch)]);
        expect(b.shape).toEqual(a.shape);
        hidden = Math.max(hidden, maxAbsDiff(a.dataSync() as Float32Array, b.dataSync() as Float32Array));
      }
      const bySide: Float32Array[] = [];
      for (const paddingSide of ['left', 'right'] as const) {
        // (BERT's absolute positions make left padding change its embeddings, in transformers too: same side on both.)
        const load = (d: string) => AutoModelForEmbedding.fromPretrained(d, { poolingMethod: c.pooling, paddingSide });
        const want = await (await load(c.folder())).encode(TEXTS, { batchSize: 4 });
        const got = await (await load(dir)).encode(TEXTS, { batchSize: 4 });
        embeddings = Math.max(embeddings, maxAbsDiff(want.data as Float32Array, got.data as Float32Array));
        bySide.push(got.data as Float32Array);
      }
      expect(hidden).toBeLessThanOrEqual(1e-5);
      expect(embeddings).toBeLessThanOrEqual(1e-5);
      if (c.sideFree) expect(maxAbsDiff(bySide[0]!, bySide[1]!)).toBeLessThanOrEqual(1e-5);

      const qFile = await tensor.exportOnnx(dir, { quantize: 'int8' });
      expect(qFile).toBe(join(dir, 'onnx', 'model_quantized.onnx'));
      expect(statSync(qFile).size).toBeLessThan(statSync(file).size);
      const int8 = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: c.pooling, onnxFile: 'onnx/model_quantized.onnx' });
      const [want, got] = [await tensor.encode(TEXTS, { batchSize: 4 }), await int8.encode(TEXTS, { batchSize: 4 })];
      const cosines = TEXTS.map((_, r) => cosine(want.row(r), got.row(r)));
      for (const cos of cosines) expect(cos).toBeGreaterThanOrEqual(0.99);
      measured[c.name] = { hidden: hidden.toExponential(1), embeddings: embeddings.toExponential(1), int8MinCosine: Math.min(...cosines).toFixed(5) };
      await Promise.all([tensor, onnx, int8].map((m) => m.dispose()));
    });
  }

  it('declares symbolic batch and sequence dims on the inputs and last_hidden_state, int64 inputs as HF exports', async () => {
    for (const [name, inputs] of [['bert-tiny', ['input_ids', 'attention_mask', 'token_type_ids']], ['llama-tiny', ['input_ids', 'attention_mask']]] as const) {
      const dir = tempFolder();
      for (const quantize of ['none', 'int8'] as const) {
        const file = await (await AutoModelForEmbedding.fromPretrained(fixturePath(name))).exportOnnx(dir, { quantize });
        const session = await ort.InferenceSession.create(file);
        expect(session.inputNames).toEqual(inputs);
        expect(session.outputNames).toEqual(['last_hidden_state']);
        for (const m of session.inputMetadata) expect(m).toMatchObject({ type: 'int64', shape: ['batch', 'sequence'] });
        expect(session.outputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch', 'sequence', 32] });
        await session.release();
      }
      // With only the int8 file, the folder still loads (transformers.js' q8 name is a candidate).
      const only = tempFolder();
      cpSync(join(dir, 'onnx', 'model_quantized.onnx'), join(only, 'model_quantized.onnx'));
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) cpSync(join(dir, f), join(only, f));
      expect((await AutoModelForEmbedding.fromPretrained(only)).runtime.name).toBe('onnx');
    }
  });

  it('exports float16-held weights as float32 initializers, in eval mode whatever the module mode, restoring it', async () => {
    const half = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny-f16'), { useFp16: true });
    const graph = inferenceGraph(half.backbone!);
    expect(new Set(graph.initializers.map((t) => t.dtype))).toEqual(new Set(['float32', 'int64']));
    const weights = new Set(graph.initializers.map((t) => t.name));
    expect(graph.nodes.filter((n) => n.op === 'Cast' && weights.has(n.inputs[0]!))).toEqual([]);
    half.backbone!.train();
    const dir = tempFolder();
    await half.exportOnnx(dir);
    expect(half.backbone!.training).toBe(true);
    half.backbone!.eval();
    const onnx = await AutoModelForEmbedding.fromPretrained(dir);
    const [a, b] = [await half.encode(TEXTS), await onnx.encode(TEXTS)];
    expect(maxAbsDiff(a.data as Float32Array, b.data as Float32Array)).toBeLessThanOrEqual(1e-5);
  });

  it('a static-shape export declares fixed dims; exporting into the model folder keeps its files; errors name the problem', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const dir = tempFolder();
    const file = await m.exportOnnx(dir, { staticShape: { batch: 4, sequence: 48 } });
    const session = await ort.InferenceSession.create(file);
    expect(session.inputMetadata[0]).toMatchObject({ shape: [4, 48] });
    await session.release();

    // Files already in the folder (e.g. from savePretrained) are kept, not overwritten.
    const kept = tempFolder();
    writeFileSync(join(kept, 'special_tokens_map.json'), '{}');
    await m.exportOnnx(kept);
    expect(readFileSync(join(kept, 'special_tokens_map.json'), 'utf8')).toBe('{}');

    // Into the model's own folder: safetensors stay the default runtime, the export is one option away.
    const own = tempFolder();
    cpSync(fixturePath('bert-tiny'), own, { recursive: true });
    await (await AutoModelForEmbedding.fromPretrained(own)).exportOnnx(own);
    expect((await AutoModelForEmbedding.fromPretrained(own)).runtime.name).toBe('tensor');
    expect((await AutoModelForEmbedding.fromPretrained(own, { runtime: 'onnx' })).runtime.name).toBe('onnx');

    const onnx = await AutoModelForEmbedding.fromPretrained(dir);
    await expect(onnx.exportOnnx(tempFolder())).rejects.toThrow(/runs on the 'onnx' runtime, which has no graph to export/);
    await expect(m.exportOnnx(tempFolder(), { quantize: 'int4' as never })).rejects.toThrow(/quantize must be 'none' or 'int8', got "int4"/);
  });
});
