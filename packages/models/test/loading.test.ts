import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, defineBackend, readSafetensors, type StoredTensor } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AutoModelForEmbedding, ConfigError, ModelLoadError, ModelNotFoundError, TokenizerError, WeightsError,
} from '../src/index.js';
import { cleanupFolders, copyFixtureFiles, tempFolder, writeWeights } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

afterAll(cleanupFolders);

const TEXTS = ['hello world', 'a longer sentence with more words', 'x'];
const bertTensors = () => readSafetensors(join(fixturePath('bert-tiny'), 'model.safetensors')).tensors;

/** A bert-tiny folder with its tensors changed by `edit`. */
function bertVariant(edit: (t: Map<string, StoredTensor>) => void, config?: (c: Record<string, unknown>) => void): string {
  const dir = tempFolder();
  copyFixtureFiles('bert-tiny', dir);
  const tensors = bertTensors();
  edit(tensors);
  writeWeights(dir, tensors);
  if (config) {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    config(c);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  }
  return dir;
}

async function embed(dir: string, opts = {}): Promise<Float32Array> {
  const m = await AutoModelForEmbedding.fromPretrained(dir, opts);
  return (await m.encode(TEXTS)).data as Float32Array;
}

describe('weights: names, prefixes, shards, dtypes', () => {
  it('loads names with and without the task prefix to the same model, ignoring the MLM head', async () => {
    const plain = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const prefixed = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny-prefixed'));
    expect(plain.weightPrefix).toBe('');
    expect(prefixed.weightPrefix).toBe('bert.');
    expect(await embed(fixturePath('bert-tiny-prefixed'))).toEqual(await embed(fixturePath('bert-tiny')));
    expect([...prefixed.backbone!.namedParameters().keys()]).toEqual([...plain.backbone!.namedParameters().keys()]);
  });

  it('takes what older checkpoints store: a position_ids buffer, LayerNorm gamma/beta', async () => {
    const dir = bertVariant((t) => {
      t.set('embeddings.position_ids', { dtype: 'int64', shape: [1, 128], data: BigInt64Array.from({ length: 128 }, (_, i) => BigInt(i)) });
      for (const name of [...t.keys()].filter((n) => n.includes('LayerNorm'))) {
        t.set(name.replace(/weight$/, 'gamma').replace(/bias$/, 'beta'), t.get(name)!);
        t.delete(name);
      }
    });
    expect(await embed(dir)).toEqual(await embed(fixturePath('bert-tiny')));
  });

  it('loads a sharded checkpoint through model.safetensors.index.json', async () => {
    const dir = tempFolder();
    copyFixtureFiles('bert-tiny', dir);
    const all = [...bertTensors()];
    const shards = [new Map(all.slice(0, 10)), new Map(all.slice(10))];
    const weightMap: Record<string, string> = {};
    shards.forEach((s, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeWeights(dir, s, file);
      for (const name of s.keys()) weightMap[name] = file;
    });
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    expect(await embed(dir)).toEqual(await embed(fixturePath('bert-tiny')));

    const inSecond = all[10]![0];
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...weightMap, [inSecond]: 'model-00001-of-00002.safetensors' } }));
    await expect(embed(dir)).rejects.toThrow(`tensor '${inSecond}' is mapped to model-00001-of-00002.safetensors but is stored in ${join(dir, 'model-00002-of-00002.safetensors')}`);

    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...weightMap, x: 'model-00003-of-00003.safetensors' } }));
    await expect(embed(dir)).rejects.toThrow(/shard 'model-00003-of-00003.safetensors' is listed but .* does not exist/);
  });

  it('computes float16 / bfloat16 checkpoints in float32 (weights cast on load)', async () => {
    const f16 = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny-f16'));
    expect(f16.backbone!.namedParameters().get('embeddings.word_embeddings.weight')!.dtype).toBe('float32');
    const bf16 = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny-bf16'));
    expect(bf16.backbone!.namedParameters().get('layers.0.self_attn.q_proj.weight')!.dtype).toBe('float32');
    // the half-precision copies are rounded versions of the same weights: close, not equal
    expect(maxAbsDiff(await embed(fixturePath('bert-tiny-f16')), await embed(fixturePath('bert-tiny')))).toBeLessThan(1e-2);
  });

  it('useFp16 / dtype keep weights in half precision and still compute in float32', async () => {
    const half = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { useFp16: true });
    expect(half.backbone!.namedParameters().get('encoder.layer.0.attention.self.query.weight')!.dtype).toBe('float16');
    // bert-tiny-f16 holds the same weights rounded to float16, so the results are identical
    expect(await embed(fixturePath('bert-tiny'), { useFp16: true })).toEqual(await embed(fixturePath('bert-tiny-f16')));
    const llama = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny-bf16'), { dtype: 'float16' });
    expect(llama.backbone!.namedParameters().get('norm.weight')!.dtype).toBe('float16');
    expect(maxAbsDiff(await embed(fixturePath('llama-tiny-bf16'), { dtype: 'float16' }), await embed(fixturePath('llama-tiny-bf16')))).toBeLessThan(1e-2);
    // onnxruntime-node takes no bfloat16 inputs, so bfloat16 cannot be the in-memory dtype on the ort backend
    await expect(embed(fixturePath('llama-tiny-bf16'), { dtype: 'bfloat16' })).rejects.toThrow(/dtype 'bfloat16' .*onnxruntime-node/);
    // the js backend takes it: same values as casting on load
    expect(await embed(fixturePath('llama-tiny-bf16'), { dtype: 'bfloat16', backend: 'js' })).toEqual(await embed(fixturePath('llama-tiny-bf16'), { backend: 'js' }));
  });

  it("computePrecision 'bf16' runs on the backend's bf16 sibling, and fails naming what is registered when there is none", async () => {
    await expect(embed(fixturePath('bert-tiny'), { computePrecision: 'bf16' })).rejects.toThrow("precision 'bf16': needs a backend that computes in bf16: none is registered");
    // a stand-in for @retrievals/backend-onednn's 'onednn-bf16' (its own tests encode on the real one)
    const js = backends.get('js');
    let runs = 0;
    backends.register('js-bf16', defineBackend({ name: 'js-bf16', precision: 'bf16', run: (p, f) => (runs++, js.run(p, f)) }));
    expect(await embed(fixturePath('bert-tiny'), { computePrecision: 'bf16', backend: 'js' })).toEqual(await embed(fixturePath('bert-tiny'), { backend: 'js' }));
    expect(runs).toBeGreaterThan(0);
    await expect(embed(fixturePath('bert-tiny'), { computePrecision: 'bf16', runtime: 'onnx' })).rejects.toThrow("computePrecision 'bf16' needs the tensor runtime");
    await expect(embed(fixturePath('bert-tiny'), { computePrecision: 'int8' as never })).rejects.toThrow("option 'computePrecision' must be one of");
  });
});

describe('weight errors name the tensor and the file', () => {
  it('a missing tensor', async () => {
    const dir = bertVariant((t) => t.delete('encoder.layer.1.output.dense.bias'));
    await expect(embed(dir)).rejects.toThrow(WeightsError);
    await expect(embed(dir)).rejects.toThrow(/model\.safetensors: missing tensor 'encoder\.layer\.1\.output\.dense\.bias'/);
  });

  it('an extra tensor (e.g. a layer the config does not have)', async () => {
    const dir = bertVariant((t) => t.set('encoder.layer.2.output.dense.bias', t.get('encoder.layer.1.output.dense.bias')!));
    await expect(embed(dir)).rejects.toThrow(/unexpected tensor 'encoder\.layer\.2\.output\.dense\.bias' in .*model\.safetensors/);
  });

  it('a mis-shaped tensor, with both shapes', async () => {
    const dir = bertVariant(() => undefined, (c) => (c.intermediate_size = 48));
    await expect(embed(dir)).rejects.toThrow(/model\.safetensors: tensor 'encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[64, 32\], expected \[48, 32\] from config\.json/);
  });

  it('a checkpoint of another model entirely', async () => {
    const dir = tempFolder();
    copyFixtureFiles('bert-tiny', dir);
    writeWeights(dir, readSafetensors(join(fixturePath('llama-tiny'), 'model.safetensors')).tensors);
    await expect(embed(dir)).rejects.toThrow(/none of the model's tensors is stored; expected names like 'embeddings\.word_embeddings\.weight'/);
  });

  it('only pytorch_model.bin: says to convert', async () => {
    const dir = tempFolder();
    copyFixtureFiles('bert-tiny', dir);
    writeFileSync(join(dir, 'pytorch_model.bin'), 'x');
    await expect(embed(dir)).rejects.toThrow(/no weights found/);
    await expect(embed(dir, { runtime: 'tensor' })).rejects.toThrow(/found pytorch_model\.bin: convert it to safetensors/);
  });
});

describe('config, folder and tokenizer errors', () => {
  it('an unknown model_type lists the known ones', async () => {
    const dir = bertVariant(() => undefined, (c) => (c.model_type = 'gpt9'));
    await expect(embed(dir)).rejects.toThrow(ConfigError);
    await expect(embed(dir)).rejects.toThrow(/config\.json: field 'model_type' is 'gpt9', which is not supported; known: bert, distilbert, llama, mistral, qwen2, roberta, camembert, xlm-roberta/);
  });

  it('a field of the wrong type or value names the file and the field', async () => {
    await expect(embed(bertVariant(() => undefined, (c) => (c.hidden_size = '32')))).rejects.toThrow(/config\.json: field 'hidden_size' must be an integer ≥ 1, got "32"/);
    await expect(embed(bertVariant(() => undefined, (c) => (c.num_attention_heads = 5)))).rejects.toThrow(/field 'hidden_size' \(32\) must be divisible by 'num_attention_heads' \(5\)/);
    await expect(embed(bertVariant(() => undefined, (c) => (c.position_embedding_type = 'relative_key')))).rejects.toThrow(/'position_embedding_type' = "relative_key" is not supported/);
    await expect(embed(bertVariant(() => undefined, (c) => (c.hidden_act = 'mish')))).rejects.toThrow(/config\.json: field 'hidden_act' is "mish", which is not supported; known: gelu/);
  });

  it('a missing folder, a file, and a hub id (no downloading)', async () => {
    await expect(AutoModelForEmbedding.fromPretrained('/no/such/folder')).rejects.toThrow(/\/no\/such\/folder: model folder not found/);
    await expect(AutoModelForEmbedding.fromPretrained(join(fixturePath('bert-tiny'), 'config.json'))).rejects.toThrow(/expected a model folder, got a file/);
    const hub = AutoModelForEmbedding.fromPretrained('BAAI/bge-base-en-v1.5');
    await expect(hub).rejects.toThrow(ModelNotFoundError);
    await expect(AutoModelForEmbedding.fromPretrained('BAAI/bge-base-en-v1.5')).rejects.toThrow(/'BAAI\/bge-base-en-v1\.5' is not a local folder\. Downloading from the Hugging Face Hub is not supported here/);
  });

  it('missing config.json or tokenizer.json', async () => {
    const noConfig = tempFolder();
    copyFixtureFiles('bert-tiny', noConfig, ['tokenizer.json']);
    writeWeights(noConfig, bertTensors());
    await expect(embed(noConfig)).rejects.toThrow(/config\.json not found/);
    const noTok = tempFolder();
    copyFixtureFiles('bert-tiny', noTok, ['config.json']);
    writeWeights(noTok, bertTensors());
    await expect(embed(noTok)).rejects.toThrow(/tokenizer\.json not found/);
    const badTok = bertVariant(() => undefined);
    writeFileSync(join(badTok, 'tokenizer.json'), '{"model": 3');
    await expect(embed(badTok)).rejects.toThrow(/tokenizer\.json: not valid JSON/);
  });

  it('every loading error is a ModelLoadError; options are checked too', async () => {
    await expect(embed(fixturePath('bert-tiny'), { maxLength: 500 })).rejects.toThrow(/maxLength 500 exceeds what the model takes \(128 positions\)/);
    await expect(embed(fixturePath('bert-tiny'), { poolingMethod: 'median' })).rejects.toThrow(/unknown pooling 'median'; known:/);
    await expect(embed(fixturePath('bert-tiny'), { runtime: 'gpu' })).rejects.toThrow(/unknown runtime 'gpu'; known: onnx, tensor/);
    // A LoRA adapter folder is checked like a model folder (lora.test.ts covers loading real ones).
    await expect(embed(fixturePath('bert-tiny'), { lora: '/no/such/adapter' })).rejects.toThrow(/\/no\/such\/adapter: model folder not found/);
    await expect(embed(fixturePath('bert-tiny'), { lora: fixturePath('llama-tiny') })).rejects.toThrow(/adapter_config\.json not found \(a PEFT adapter folder has/);
    await expect(embed(fixturePath('bert-tiny'), { lora: fixturePath('llama-tiny') })).rejects.toThrow(ModelLoadError);
    expect(new WeightsError('x')).toBeInstanceOf(ModelLoadError);
    expect(new TokenizerError('x')).toBeInstanceOf(ModelLoadError);
  });
});
