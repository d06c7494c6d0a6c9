import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, NotImplementedError, randn, readSafetensors, SafetensorsFile, writeSafetensors } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyLora, AutoModelForEmbedding, ConfigError, loadAdapter, loraConfig, loraLayers, LoraLinear, saveAdapter, WeightsError,
} from '../src/index.js';
import { cleanupFolders, onnxOnlyFolder, tempFolder } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

afterAll(cleanupFolders);

const TEXTS = ['hello there', 'a second, longer text', 'x'];
const REFS = join(import.meta.dirname, 'refs');
type Fixture = 'bert-tiny' | 'llama-tiny';
const load = (name: Fixture, lora?: string) => AutoModelForEmbedding.fromPretrained(fixturePath(name), lora ? { lora } : {});
const embed = async (m: AutoModelForEmbedding) => (await m.encode(TEXTS)).data as Float32Array;

/** The 24 fields PEFT 0.10–0.13's LoraConfig.save_pretrained writes, sorted. */
const PEFT_FIELDS = [
  'alpha_pattern', 'auto_mapping', 'base_model_name_or_path', 'bias', 'fan_in_fan_out', 'inference_mode', 'init_lora_weights', 'layer_replication',
  'layers_pattern', 'layers_to_transform', 'loftq_config', 'lora_alpha', 'lora_dropout', 'megatron_config', 'megatron_core', 'modules_to_save',
  'peft_type', 'r', 'rank_pattern', 'revision', 'target_modules', 'task_type', 'use_dora', 'use_rslora',
];

/** A model with an adapter whose B is random (as after training), saved to a fresh folder. */
async function savedAdapter(name: Fixture, options = {}): Promise<{ dir: string; model: AutoModelForEmbedding }> {
  const model = applyLora(await load(name), { r: 4, alpha: 16, ...options });
  const gen = new Generator(7);
  for (const l of loraLayers(model).values()) l.setAdapter(l.lora_A.namedParameters().get('weight')!, randn([l.outFeatures, l.r], gen, 0.1).requiresGrad_());
  const dir = join(tempFolder(), 'adapter');
  await saveAdapter(model, dir);
  return { dir, model };
}

/** A copy of an adapter folder with adapter_config.json edited. */
function editedConfig(src: string, edit: (c: Record<string, unknown>) => void): string {
  const dir = tempFolder();
  copyFileSync(join(src, 'adapter_model.safetensors'), join(dir, 'adapter_model.safetensors'));
  const c = JSON.parse(readFileSync(join(src, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
  edit(c);
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(c));
  return dir;
}

/** A copy of an adapter folder with its tensors edited. */
function editedTensors(src: string, edit: (t: Map<string, ReturnType<SafetensorsFile['read']>>) => void): string {
  const dir = tempFolder();
  copyFileSync(join(src, 'adapter_config.json'), join(dir, 'adapter_config.json'));
  const { tensors } = readSafetensors(join(src, 'adapter_model.safetensors'));
  edit(tensors);
  writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors);
  return dir;
}

describe('saveAdapter: PEFT file layout', () => {
  it('adapter_config.json has exactly PEFT’s fields and values; tensors are base_model.model.<path>.lora_A/B.weight', async () => {
    const { dir, model } = await savedAdapter('bert-tiny', { dropout: 0.05 });
    const text = readFileSync(join(dir, 'adapter_config.json'), 'utf8');
    const config = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(PEFT_FIELDS); // sorted, as json.dumps(sort_keys=True)
    expect(text).toMatch(/^\{\n {2}"alpha_pattern": \{\},\n {2}"auto_mapping": null,/);
    expect(config).toMatchObject({
      peft_type: 'LORA', task_type: 'FEATURE_EXTRACTION', r: 4, lora_alpha: 16, lora_dropout: 0.05, bias: 'none', fan_in_fan_out: false,
      use_rslora: false, use_dora: false, modules_to_save: null, inference_mode: true, init_lora_weights: true, base_model_name_or_path: fixturePath('bert-tiny'),
      target_modules: ['query', 'key', 'value', 'output.dense', 'intermediate.dense'], rank_pattern: {}, alpha_pattern: {}, loftq_config: {}, megatron_core: 'megatron.core',
    });
    const file = SafetensorsFile.open(join(dir, 'adapter_model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names().sort()).toEqual([...loraLayers(model).keys()].flatMap((p) => [`base_model.model.${p}.lora_A.weight`, `base_model.model.${p}.lora_B.weight`]).sort());
    expect(file.tensors.get('base_model.model.encoder.layer.0.intermediate.dense.lora_A.weight')).toMatchObject({ dtype: 'float32', shape: [4, 32] });
    expect(file.tensors.get('base_model.model.encoder.layer.0.intermediate.dense.lora_B.weight')).toMatchObject({ dtype: 'float32', shape: [64, 4] });
    file.close();
    // Our files read the same as PEFT's own: the reference adapter written in Python has the same field set.
    expect(Object.keys(JSON.parse(readFileSync(join(REFS, 'lora-bert-tiny', 'adapter_config.json'), 'utf8')) as object)).toEqual(PEFT_FIELDS);
  });

  it('refuses a model without an adapter', async () => {
    await expect(saveAdapter(await load('bert-tiny'), tempFolder())).rejects.toThrow(/no LoRA adapter; call applyLora/);
  });
});

describe('loadAdapter', () => {
  for (const name of ['bert-tiny', 'llama-tiny'] as const) {
    it(`${name}: save → fromPretrained(fixture, { lora }) gives identical embeddings, trainable adapter, frozen base`, async () => {
      const { dir, model } = await savedAdapter(name, { useRslora: name === 'llama-tiny', targetModules: name === 'llama-tiny' ? ['q_proj', 'up_proj'] : undefined });
      const expected = await embed(model);
      const base = await embed(await load(name));
      expect(maxAbsDiff(expected, base)).toBeGreaterThan(1e-3);
      const reloaded = await load(name, dir);
      expect(await embed(reloaded)).toEqual(expected);
      expect(loraConfig(reloaded)).toEqual(loraConfig(model));
      for (const [n, p] of reloaded.backbone!.namedParameters()) expect(p.requiresGrad, n).toBe(/\.lora_[AB]\.weight$/.test(n));
    });
  }

  // Adapters written by tools/torch-refs/make_lora_refs.py (its own safetensors writer), with
  // PyTorch's embeddings of the same texts through PEFT's LoRA math.
  for (const [name, poolers] of [['bert-tiny', ['cls', 'mean']], ['llama-tiny', ['last', 'mean']]] as const) {
    it(`${name}: a Python-made adapter gives PyTorch's embeddings (≤1e-5)`, async () => {
      const ref = JSON.parse(readFileSync(join(REFS, `lora-${name}.json`), 'utf8')) as { texts: string[]; adapted: string[]; pooled: Record<string, number[]> };
      for (const pooling of poolers) {
        const m = await AutoModelForEmbedding.fromPretrained(fixturePath(name), { lora: join(REFS, `lora-${name}`), poolingMethod: pooling });
        expect([...loraLayers(m).keys()].sort()).toEqual([...ref.adapted].sort());
        const ours = (await m.encode(ref.texts)).data as Float32Array;
        expect(maxAbsDiff(ours, ref.pooled[pooling]!)).toBeLessThan(1e-5);
      }
    });
  }

  it('the Llama reference adapter: CausalLM key prefix (model.), bfloat16 storage, rsLoRA, list targets', async () => {
    const m = await load('llama-tiny', join(REFS, 'lora-llama-tiny'));
    expect(loraConfig(m)).toMatchObject({ r: 4, alpha: 16, useRslora: true, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
    const q = m.backbone!.getModule('layers.0.self_attn.q_proj') as LoraLinear;
    expect(q.scaling).toBe(8);
    expect(q.lora_A.namedParameters().get('weight')!.dtype).toBe('float32');
  });

  it('a null target_modules means PEFT’s default for the architecture (query, value)', async () => {
    const { dir } = await savedAdapter('bert-tiny', { targetModules: ['query', 'value'] });
    const m = await load('bert-tiny', editedConfig(dir, (c) => (c.target_modules = null)));
    expect(loraLayers(m).size).toBe(4);
  });
});

describe('loadAdapter errors name the file and the field or tensor', () => {
  const ref = join(REFS, 'lora-bert-tiny');
  const loadInto = async (dir: string) => loadAdapter(await load('bert-tiny'), dir);

  it('unsupported adapter options are NotImplementedError', async () => {
    const cases: [(c: Record<string, unknown>) => void, RegExp][] = [
      [(c) => (c.use_dora = true), /adapter_config\.json: field 'use_dora' = true asks for DoRA/],
      [(c) => (c.bias = 'all'), /field 'bias' = "all" asks for trained biases/],
      [(c) => (c.fan_in_fan_out = true), /field 'fan_in_fan_out' = true asks for Conv1D-style/],
      [(c) => (c.rank_pattern = { 'layer.0': 8 }), /field 'rank_pattern' = \{"layer\.0":8\} asks for per-layer ranks/],
      [(c) => (c.modules_to_save = ['pooler']), /field 'modules_to_save'/],
      [(c) => (c.init_lora_weights = 'pissa'), /field 'init_lora_weights' = "pissa" asks for an adapter made against base weights modified/],
      [(c) => (c.peft_type = 'IA3'), /field 'peft_type' is "IA3"; only "LORA" adapters can be loaded/],
    ];
    for (const [edit, message] of cases) {
      const attempt = loadInto(editedConfig(ref, edit));
      await expect(attempt).rejects.toThrow(message);
      await expect(attempt).rejects.toBeInstanceOf(NotImplementedError);
    }
  });

  it('bad values are ConfigError; a missing or unreadable file says which', async () => {
    await expect(loadInto(editedConfig(ref, (c) => (c.r = 0)))).rejects.toThrow(/adapter_config\.json: field 'r' must be an integer ≥ 1, got 0/);
    await expect(loadInto(editedConfig(ref, (c) => (c.lora_dropout = 1.5)))).rejects.toThrow(/field 'lora_dropout' must be in \[0, 1\), got 1\.5/);
    await expect(loadInto(editedConfig(ref, (c) => (c.target_modules = 3)))).rejects.toThrow(/field 'target_modules' must be a regex string or a non-empty list/);
    await expect(loadInto(editedConfig(ref, (c) => delete c.peft_type))).rejects.toBeInstanceOf(ConfigError);
    const broken = editedConfig(ref, () => undefined);
    writeFileSync(join(broken, 'adapter_config.json'), '{"r": ');
    await expect(loadInto(broken)).rejects.toThrow(/adapter_config\.json: not valid JSON/);
    const binOnly = tempFolder();
    copyFileSync(join(ref, 'adapter_config.json'), join(binOnly, 'adapter_config.json'));
    writeFileSync(join(binOnly, 'adapter_model.bin'), 'pickle');
    await expect(loadInto(binOnly)).rejects.toThrow(/adapter_model\.bin \(a pickle\) cannot be read; save the adapter with safe_serialization=True/);
  });

  it('missing, extra, mis-shaped or foreign tensors are WeightsError naming the tensor; the model is left unchanged', async () => {
    const key = 'base_model.model.encoder.layer.1.attention.self.value.lora_B.weight';
    const m = await load('bert-tiny');
    expect(() => loadAdapter(m, editedTensors(ref, (t) => t.delete(key)))).toThrow(new RegExp(`adapter_model\\.safetensors: missing tensor '${key.replace(/\./g, '\\.')}'`));
    expect(loraLayers(m).size).toBe(0);
    expect(() => loadAdapter(m, editedTensors(ref, (t) => t.set('base_model.model.pooler.dense.lora_A.weight', t.get(key.replace('lora_B', 'lora_A'))!)))).toThrow(
      /unexpected tensor 'base_model\.model\.pooler\.dense\.lora_A\.weight': not a layer .*adapter_config\.json's target_modules/,
    );
    expect(() => loadAdapter(m, editedTensors(ref, (t) => t.set(key, { dtype: 'float32', shape: [32, 2], data: new Float32Array(64) })))).toThrow(
      /tensor 'base_model\.model\.encoder\.layer\.1\.attention\.self\.value\.lora_B\.weight' has shape \[32, 2\], expected \[32, 4\] \(r = 4 from/,
    );
    expect(() => loadAdapter(m, editedTensors(ref, (t) => t.set('base_model.model.encoder.layer.0.attention.self.query.lora_magnitude_vector', t.get(key)!)))).toThrow(
      /unexpected tensor 'base_model\.model\.encoder\.layer\.0\.attention\.self\.query\.lora_magnitude_vector'; a LoRA adapter holds only/,
    );
    expect(() => loadAdapter(m, join(REFS, 'lora-llama-tiny'))).toThrow(WeightsError); // another architecture's adapter
    expect(() => loadAdapter(m, join(REFS, 'lora-llama-tiny'))).toThrow(/tensor for module 'model\.layers\.0\.mlp\.down_proj' does not name a module of BertModel/);
    expect(loraLayers(m).size).toBe(0);
    loadAdapter(m, ref);
    expect(() => loadAdapter(m, ref)).toThrow(/already has an adapter/);
  });

  it('the lora option needs the tensor runtime', async () => {
    const onnxOnly = await onnxOnlyFolder(fixturePath('bert-tiny'), 2, 8);
    await expect(AutoModelForEmbedding.fromPretrained(onnxOnly, { lora: ref })).rejects.toThrow(/a LoRA adapter \(the 'lora' option\) needs the tensor runtime, not 'onnx'/);
  });
});
