import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, zeros, type StoredTensor } from '@retrievals/core-tensor';
import { fixturePath, type FixtureName } from '@retrievals/fixtures';
import { firstTokenPooler, poolers } from '@retrievals/pooling';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, Linear, Module, type FromPretrainedOptions } from '../src/index.js';
import { SaveError } from '../src/save-pretrained.js';
import { cleanupFolders, onnxOnlyFolder, tempFolder } from './helpers/folders.js';

afterAll(cleanupFolders);

// The long text is cut by every maxLength below, so a lost maxLength changes its embedding.
const LONG = Array.from({ length: 80 }, (_, i) => `word${i % 7} and more`).join(' ');
const TEXTS = ['hello world', LONG, 'x', 'Grüße, 你好'];
const DOCS = [{ title: 'Foxes', text: 'Foxes are quick.' }, 'Dogs are lazy.', LONG];
const MIDDLE = 'Instruct: find passages\nQuery: {}\nAnswer:';
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;
const tensorsOf = (dir: string) => readSafetensors(join(dir, 'model.safetensors'));
const shapes = (t: Map<string, StoredTensor>) => Object.fromEntries([...t].map(([n, s]) => [n, `${s.dtype}[${s.shape.join(',')}]`]));
const settings = (m: AutoModelForEmbedding) => ({
  poolingMethod: m.poolingMethod, normalize: m.normalize, maxLength: m.maxLength, queryInstruction: m.queryInstruction,
  documentInstruction: m.documentInstruction, addEos: m.addEos, doLowerCase: m.doLowerCase,
});

async function outputs(m: AutoModelForEmbedding): Promise<Float32Array[]> {
  return [(await m.encode(TEXTS)).data, (await m.encodeQueries(TEXTS)).data, (await m.encodeCorpus(DOCS)).data] as Float32Array[];
}

async function saved(name: FixtureName, opts: FromPretrainedOptions): Promise<{ model: AutoModelForEmbedding; dir: string }> {
  const model = await AutoModelForEmbedding.fromPretrained(fixturePath(name), opts);
  const dir = join(tempFolder(), 'saved');
  await model.savePretrained(dir);
  return { model, dir };
}

describe('savePretrained → fromPretrained round trip', () => {
  const cases: [FixtureName, FromPretrainedOptions][] = [
    ['bert-tiny', { poolingMethod: 'mean', normalize: true, maxLength: 24, queryInstruction: MIDDLE, documentInstruction: 'passage: ' }],
    ['xlmr-tiny', { poolingMethod: 'max', normalize: false, maxLength: 20, queryInstruction: MIDDLE, documentInstruction: 'passage: ' }],
    ['qwen2-tiny', { poolingMethod: 'last', normalize: true, maxLength: 32, queryInstruction: MIDDLE, documentInstruction: 'Doc: ' }],
    ['llama-tiny', { poolingMethod: 'weightedmean', normalize: true, maxLength: 16, queryInstruction: 'query: {}', documentInstruction: 'passage: ', addEos: true }], // llama's tokenizer adds no EOS itself
  ];
  it.each(cases)('%s: the saved folder needs no options and embeds identically', async (name, opts) => {
    const { model, dir } = await saved(name, opts);
    const reloaded = await AutoModelForEmbedding.fromPretrained(dir);
    expect(settings(reloaded)).toEqual(settings(model));
    expect(settings(reloaded)).toMatchObject({ ...opts, addEos: opts.addEos ?? false });
    expect(await outputs(reloaded)).toEqual(await outputs(model)); // max |diff| = 0
    // ... and the options did matter: the fixture without them embeds differently.
    expect(await outputs(await AutoModelForEmbedding.fromPretrained(fixturePath(name)))).not.toEqual(await outputs(model));

    const source = tensorsOf(fixturePath(name)), written = tensorsOf(dir);
    expect(shapes(written.tensors)).toEqual(shapes(source.tensors)); // same names (an LM head included), dtypes, shapes
    for (const [n, t] of source.tensors) expect(written.tensors.get(n)!.data).toEqual(t.data);
    expect(written.metadata).toEqual({ format: 'pt' });
    expect(readJson(join(dir, 'config.json'))).toEqual(readJson(join(fixturePath(name), 'config.json')));
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      expect(readFileSync(join(dir, f))).toEqual(readFileSync(join(fixturePath(name), f)));
    }
  });

  it('keeps a prefixed checkpoint prefixed, with its MLM head', async () => {
    const { dir } = await saved('bert-tiny-prefixed', {});
    const names = [...tensorsOf(dir).tensors.keys()];
    expect(names).toEqual([...tensorsOf(fixturePath('bert-tiny-prefixed')).tensors.keys()]);
    expect(names.some((n) => n.startsWith('cls.'))).toBe(true);
    expect((await AutoModelForEmbedding.fromPretrained(dir)).weightPrefix).toBe('bert.');
  });

  it('realises lazy parameters (as left by training steps) before writing', async () => {
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const ln = model.backbone!.getModule('embeddings.LayerNorm');
    const before = model.backbone!.namedParameters().get('embeddings.LayerNorm.weight')!;
    ln.setOwnParameter('weight', before.mul(2));
    const dir = join(tempFolder(), 'out');
    await model.savePretrained(dir);
    const w = tensorsOf(dir).tensors.get('embeddings.LayerNorm.weight')!.data as Float32Array;
    expect([...w]).toEqual([...(before.dataSync() as Float32Array)].map((v) => v * 2));
  });

  it('float16 kept in memory saves float16 (bytes as loaded); the float32 default saves float32', async () => {
    const half = await saved('bert-tiny-f16', { dtype: 'float16' });
    const source = tensorsOf(fixturePath('bert-tiny-f16')).tensors;
    const written = tensorsOf(half.dir).tensors;
    expect(shapes(written)).toEqual(shapes(source));
    for (const [n, t] of source) expect(written.get(n)!.data).toEqual(t.data);
    expect(readJson(join(half.dir, 'config.json'))).toMatchObject({ torch_dtype: 'float16' });

    const full = await saved('bert-tiny-f16', {});
    const f32 = tensorsOf(full.dir).tensors;
    expect([...new Set([...f32.values()].map((t) => t.dtype))]).toEqual(['float32']);
    expect(readJson(join(full.dir, 'config.json'))).toMatchObject({ torch_dtype: 'float32' });
    for (const { model, dir } of [half, full]) {
      expect(await outputs(await AutoModelForEmbedding.fromPretrained(dir))).toEqual(await outputs(model));
    }
  });

  it('saves an onnx-runtime model by copying its export, reloaded on the onnx runtime', async () => {
    const src = await onnxOnlyFolder(fixturePath('bert-tiny'), 4, 32);
    const model = await AutoModelForEmbedding.fromPretrained(src, { poolingMethod: 'mean', queryInstruction: MIDDLE });
    const dir = join(tempFolder(), 'out');
    await model.savePretrained(dir);
    expect(readFileSync(join(dir, 'onnx', 'model.onnx'))).toEqual(readFileSync(join(src, 'onnx', 'model.onnx')));
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    const reloaded = await AutoModelForEmbedding.fromPretrained(dir);
    expect(reloaded.runtime.name).toBe('onnx');
    expect(settings(reloaded)).toEqual(settings(model));
    expect(await outputs(reloaded)).toEqual(await outputs(model));
    await Promise.all([model.dispose(), reloaded.dispose()]);
  });
});

describe('the sentence-transformers files written', () => {
  it('match what sentence-transformers writes, field for field', async () => {
    const { dir } = await saved('bert-tiny', { poolingMethod: 'mean', normalize: true, maxLength: 24, queryInstruction: MIDDLE, documentInstruction: 'passage: {}' });
    expect(readJson(join(dir, 'modules.json'))).toEqual([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]);
    expect(readJson(join(dir, 'sentence_bert_config.json'))).toEqual({ max_seq_length: 24, do_lower_case: false });
    expect(readJson(join(dir, '1_Pooling', 'config.json'))).toEqual({
      word_embedding_dimension: 32, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false,
      pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: false, include_prompt: true,
    });
    expect(readdirSync(join(dir, '2_Normalize'))).toEqual([]);
    expect(readJson(join(dir, 'config_sentence_transformers.json'))).toEqual({
      model_type: 'SentenceTransformer',
      __version__: { sentence_transformers: '3.0.0', transformers: '4.46.3' },
      // `{}` mid-template has no prefix form: the prompt stays empty and our key holds the template.
      prompts: { query: '', document: 'passage: ' },
      default_prompt_name: null,
      similarity_fn_name: 'cosine',
      retrievals: { query_instruction: MIDDLE, document_instruction: 'passage: {}' },
    });
  });

  it('without normalisation or instructions: no Normalize module and no retrievals key', async () => {
    const { dir } = await saved('qwen2-tiny', {});
    expect((readJson(join(dir, 'modules.json')) as unknown[]).length).toBe(2);
    expect(existsSync(join(dir, '2_Normalize'))).toBe(false);
    expect(readJson(join(dir, '1_Pooling', 'config.json'))).toMatchObject({ pooling_mode_lasttoken: true, pooling_mode_cls_token: false });
    expect(readJson(join(dir, 'sentence_bert_config.json'))).toEqual({ max_seq_length: 128, do_lower_case: false });
    const cfg = readJson(join(dir, 'config_sentence_transformers.json')) as Record<string, unknown>;
    expect(cfg.prompts).toEqual({ query: '', document: '' });
    expect(cfg).not.toHaveProperty('retrievals');
  });

  it('a pooler alias or one without a sentence-transformers flag is kept under retrievals', async () => {
    const alias = await saved('bert-tiny', { poolingMethod: 'avg' });
    expect(readJson(join(alias.dir, '1_Pooling', 'config.json'))).toMatchObject({ pooling_mode_mean_tokens: true });
    expect((await AutoModelForEmbedding.fromPretrained(alias.dir)).poolingMethod).toBe('avg');

    poolers.register('test-first-copy', () => firstTokenPooler);
    const custom = await saved('bert-tiny', { poolingMethod: 'test-first-copy' });
    const pooling = readJson(join(custom.dir, '1_Pooling', 'config.json')) as Record<string, unknown>;
    expect(Object.entries(pooling).filter(([k, v]) => k.startsWith('pooling_mode') && v)).toEqual([]); // Python fails rather than pools otherwise
    expect(readJson(join(custom.dir, 'config_sentence_transformers.json'))).toMatchObject({ retrievals: { pooling_method: 'test-first-copy' } });
    const reloaded = await AutoModelForEmbedding.fromPretrained(custom.dir);
    expect(reloaded.poolingMethod).toBe('test-first-copy');
    expect(await outputs(reloaded)).toEqual(await outputs(custom.model));

    // Edited in Python later (a flag set): Python's field wins over our stale key.
    const file = join(custom.dir, '1_Pooling', 'config.json');
    writeFileSync(file, JSON.stringify({ ...pooling, pooling_mode_max_tokens: true }));
    expect((await AutoModelForEmbedding.fromPretrained(custom.dir)).poolingMethod).toBe('max');
  });
});

describe('savePretrained refuses', () => {
  /** A stand-in for a LoRA-wrapped Linear: parameters named as PEFT names them. */
  class FakeLora extends Module {
    constructor(base: Linear) {
      super();
      this.addModule('base_layer', base);
      for (const [name, inF, outF] of [['lora_A', 32, 4], ['lora_B', 4, 32]] as const) {
        const l = this.addModule(name, new Linear(inF, outF, false));
        l.setOwnParameter('weight', zeros([...l.ownParameterShapes().get('weight')!]));
      }
    }
  }

  it('a model holding LoRA layers, writing nothing', async () => {
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const path = 'encoder.layer.0.attention.self.query';
    model.backbone!.setModule(path, new FakeLora(model.backbone!.getModule(path) as Linear));
    const dir = join(tempFolder(), 'out');
    const err = await model.savePretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SaveError);
    expect((err as Error).message).toMatch(/LoRA layers \(encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight.*mergeAndUnload\(\).*saveAdapter/);
    expect(existsSync(dir)).toBe(false);
  });

  it('the folder the model was loaded from', async () => {
    const { dir } = await saved('bert-tiny', {});
    const model = await AutoModelForEmbedding.fromPretrained(dir);
    const before = readFileSync(join(dir, 'model.safetensors'));
    await expect(model.savePretrained(`${dir}/`)).rejects.toThrow(`${dir} is the folder the model was loaded from`);
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(before);
  });
});
