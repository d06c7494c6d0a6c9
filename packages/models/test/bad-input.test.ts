import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '@retrievals/core-tensor';
import { fixturePath, type FixtureName } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLora, AutoModelForEmbedding, ConfigReader, parseLlamaConfig, TokenizerError } from '../src/index.js';
import { cleanupFolders, tempFolder, writeWeights } from './helpers/folders.js';

afterAll(cleanupFolders);

/** A full copy of a fixture folder, with JSON files edited. */
function copy(name: FixtureName, edits: Record<string, (json: Record<string, unknown>) => void> = {}): string {
  const dir = tempFolder();
  for (const f of readdirSync(fixturePath(name))) copyFileSync(join(fixturePath(name), f), join(dir, f));
  for (const [file, edit] of Object.entries(edits)) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(join(dir, file), JSON.stringify(json));
  }
  return dir;
}
const config = (edit: (c: Record<string, unknown>) => void) => ({ 'config.json': edit });
const load = (dir: string, opts = {}) => AutoModelForEmbedding.fromPretrained(dir, opts);

describe('unbounded work is bounded', () => {
  it('a tokenizer whose regular expression backtracks forever is stopped, naming tokenizer.json', async () => {
    const dir = copy('bert-tiny', { 'tokenizer.json': (t) => (t.normalizer = { type: 'Replace', pattern: { Regex: '(a+)+$' }, content: '' }) });
    const m = await load(dir, { tokenizeTimeoutMs: 1500 });
    // Without the limit this would never return (the test's own timeout would fail it).
    await expect(m.encode([`${'a'.repeat(40)}!`])).rejects.toThrow(/tokenizer\.json: tokenizing a batch of 1 texts did not finish within 1\.5 s/);
    expect((await m.encode(['hello'])).rows).toBe(1); // a new worker serves the next request
    await m.dispose();
  }, 20_000);

  it('a 10 MB single-line text is tokenized only as far as maxLength can keep, to the same embedding', async () => {
    const m = await load(fixturePath('bert-tiny'));
    const words = Array.from({ length: 2_000_000 }, (_, i) => ['hello', 'world', 'x', 'longer'][i % 4]).join(' ');
    // What the tokenizer library is asked to tokenize, on the main thread (tokenize()) and in the worker (encode()).
    const seen: number[] = [];
    const hf = m.tokenizer.hf;
    const original = hf.encode.bind(hf);
    hf.encode = ((text: string, o?: object) => (seen.push(text.length), original(text, o))) as typeof hf.encode;
    const batch = m.tokenize([words]);
    expect(Math.max(...seen)).toBeLessThan(64 * 1024);
    expect(batch.inputIds.shape[1]).toBe(m.maxLength);
    const big = await m.encode(words);
    const prefix = await m.encode(words.slice(0, 4000));
    expect(Array.from(big)).toEqual(Array.from(prefix));
    await m.dispose();
  });

  it('layer counts, head sizes and sizes far beyond any model are refused before anything is built', async () => {
    // A config check, so before the module tree is built (building 1e6 layers took 4 GB and 40 s).
    for (const [field, value] of [['num_hidden_layers', 1e300], ['num_hidden_layers', 1e6], ['hidden_size', 2 ** 40]] as const) {
      await expect(load(copy('bert-tiny', config((c) => (c[field] = value))))).rejects.toThrow(new RegExp(`config\\.json: field '${field}' must be an integer ≤`));
    }
    await expect(load(copy('qwen2-tiny', config((c) => (c.head_dim = 406219248))))).rejects.toThrow(/field 'head_dim' must be an integer ≤ 8192/);
  });
});

describe('silent wrong results are refused', () => {
  it('NaN weights give an error naming the model and the rows; allowNonFinite returns them', async () => {
    const dir = copy('bert-tiny');
    const tensors = readSafetensors(join(dir, 'model.safetensors')).tensors;
    const w = tensors.get('encoder.layer.1.output.dense.weight')!;
    (w.data as Float32Array)[3] = Number.NaN;
    writeWeights(dir, tensors);
    await expect((await load(dir)).encode(['a', 'b', 'c'])).rejects.toThrow(/3 of 3 embeddings hold NaN or Inf \(rows 0, 1, 2\).*allowNonFinite/);
    const e = await (await load(dir, { allowNonFinite: true })).encode(['a']);
    expect(Number.isNaN(e.data[0])).toBe(true);
  });

  it('config numbers are range-checked, naming the file and field', async () => {
    const cases: [FixtureName, string, unknown, RegExp][] = [
      ['bert-tiny', 'layer_norm_eps', -1, /field 'layer_norm_eps' must be a number > 0 and ≤ 0\.1, got -1/],
      ['bert-tiny', 'hidden_dropout_prob', 1.5, /field 'hidden_dropout_prob' must be a number ≥ 0 and < 1/],
      ['llama-tiny', 'rope_theta', 0, /field 'rope_theta' must be a number > 0, got 0/],
      ['llama-tiny', 'rms_norm_eps', 5, /field 'rms_norm_eps' must be a number > 0 and ≤ 0\.1/],
      ['llama-tiny', 'rope_scaling', { rope_type: 'linear', factor: 0 }, /field 'rope_scaling'.*'factor' must be a number > 0/],
      ['bert-tiny', 'hidden_act', 'mish', /config\.json: field 'hidden_act' is "mish", which is not supported/],
    ];
    for (const [fixture, field, value, message] of cases) await expect(load(copy(fixture, config((c) => (c[field] = value))))).rejects.toThrow(message);
  });

  it('lora_alpha beyond range and a target_modules regex that does not compile name the field', async () => {
    const m = await load(fixturePath('bert-tiny'));
    expect(() => applyLora(m, { targetModules: 'query(' })).toThrow(/target_modules "query\(" is not a valid regular expression/);
    const dir = tempFolder();
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 1e308, target_modules: ['query'] }));
    await expect(load(fixturePath('bert-tiny'), { lora: dir })).rejects.toThrow(/adapter_config\.json: field 'lora_alpha' must be a number > 0 and ≤ 1000000/);
  });

  it('a tokenizer id the embedding table lacks, and a vocabulary id that is not an integer, name the token and the file', async () => {
    await expect(load(copy('bert-tiny', config((c) => (c.vocab_size = 50))))).rejects.toThrow(/tokenizer\.json: token ".*" has id \d+, but .*config\.json field 'vocab_size' is 50/);
    await expect(load(copy('bert-tiny', { 'tokenizer.json': (t) => ((t.model as { vocab: Record<string, unknown> }).vocab.hello = '5') }))).rejects.toThrow(TokenizerError);
    await expect(load(copy('bert-tiny', { 'tokenizer.json': (t) => ((t.model as { vocab: Record<string, unknown> }).vocab.hello = '5') }))).rejects.toThrow(/tokenizer\.json: field 'model\.vocab\["hello"\]' must be an integer id/);
    await expect(load(copy('bert-tiny', { 'tokenizer.json': (t) => (t.added_tokens = [{ id: -1, content: '[X]' }]) }))).rejects.toThrow(/field 'added_tokens\[0\]\.id' must be an integer id/);
  });

  it('ids outside the embedding table fail in the model, not deep in onnxruntime', async () => {
    const m = await load(fixturePath('bert-tiny'), { backend: 'js' });
    const batch = m.tokenize(['hello']);
    (batch.inputIds.dataSync() as BigInt64Array)[1] = 99999n;
    expect(() => m.forward(batch)).toThrow(/token id 99999 is outside the embedding table \(\d+ rows/);
  });

  it('a corpus document without a string text is named, never embedded as "x undefined"', async () => {
    const m = await load(fixturePath('bert-tiny'));
    await expect(m.encodeCorpus([{ text: 'fine' }, { title: 'x' } as never])).rejects.toThrow(/encodeCorpus: document 1: field 'text' must be a string, got nothing \(missing\)/);
  });
});

describe('numerics as transformers resolves the config', () => {
  const reader = (c: Record<string, unknown>) => new ConfigReader('config.json', c);
  const base = JSON.parse(readFileSync(join(fixturePath('qwen2-tiny'), 'config.json'), 'utf8')) as Record<string, unknown>;

  it('Qwen2 windows only the layers from max_window_layers on, or as layer_types says; Mistral defaults to 4096', () => {
    const windows = (c: Record<string, unknown>, v: 'qwen2' | 'mistral' = 'qwen2') => parseLlamaConfig(reader({ ...base, num_hidden_layers: 4, ...c }), v).windows;
    expect(windows({ use_sliding_window: true, sliding_window: 16, max_window_layers: 2 })).toEqual([undefined, undefined, 16, 16]);
    expect(windows({ use_sliding_window: false, sliding_window: 16, max_window_layers: 0 })).toEqual([undefined, undefined, undefined, undefined]);
    expect(windows({ use_sliding_window: true, sliding_window: 16, layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'] })).toEqual([16, undefined, 16, undefined]);
    expect(() => windows({ use_sliding_window: true, sliding_window: 16, layer_types: ['sliding_attention'] })).toThrow(/field 'layer_types' must list/);
    const { sliding_window: _drop, ...noKey } = base;
    expect(parseLlamaConfig(reader({ ...noKey, model_type: 'mistral' }), 'mistral').windows.every((w) => w === 4096)).toBe(true);
    expect(parseLlamaConfig(reader({ ...base, sliding_window: null }), 'mistral').windows.every((w) => w === undefined)).toBe(true);
  });

  it('a window over the first layers only changes exactly what transformers would: nothing when max_window_layers covers every layer', async () => {
    const text = ['one two three four five six seven eight'];
    const windowed = async (from?: number) => {
      const dir = from === undefined ? fixturePath('qwen2-tiny') : copy('qwen2-tiny', config((c) => Object.assign(c, { use_sliding_window: true, sliding_window: 2, max_window_layers: from })));
      return (await (await load(dir)).encode(text)).data as Float32Array;
    };
    const plain = await windowed();
    const coveredAll = await windowed(2);
    const lastWindowed = await windowed(1);
    expect(Array.from(coveredAll)).toEqual(Array.from(plain));
    expect(Math.max(...Array.from(lastWindowed, (v, i) => Math.abs(v - plain[i]!)))).toBeGreaterThan(1e-4);
  });

  it('padding: right padding never changes a BERT embedding; left padding shifts its absolute positions, as in transformers', async () => {
    const short = 'hello world', long = 'a much longer text that forces the short one to be padded a lot';
    const m = await load(fixturePath('bert-tiny'));
    const alone = (await m.encode([short])).row(0);
    const inBatch = (await m.encode([short, long])).row(0);
    expect(Math.max(...Array.from(alone, (v, i) => Math.abs(v - inBatch[i]!)))).toBeLessThan(1e-5);
    const left = await load(fixturePath('bert-tiny'), { paddingSide: 'left' });
    const leftInBatch = (await left.encode([short, long])).row(0);
    expect(Math.max(...Array.from(alone, (v, i) => Math.abs(v - leftInBatch[i]!)))).toBeGreaterThan(1e-3);
  });

  it('a BERT with is_decoder or cross-attention is refused rather than run bidirectionally', async () => {
    await expect(load(copy('bert-tiny', config((c) => (c.is_decoder = true))))).rejects.toThrow(/field 'is_decoder' = true is not supported \(a causal BERT\/RoBERTa decoder is not implemented/);
    await expect(load(copy('bert-tiny', config((c) => (c.add_cross_attention = true))))).rejects.toThrow(/field 'add_cross_attention'/);
  });
});

describe('paths and files in a model folder', () => {
  it('model.safetensors that is a folder, and shards named "." or "..", are refused by name', async () => {
    const dir = copy('bert-tiny');
    rmSync(join(dir, 'model.safetensors'));
    mkdirSync(join(dir, 'model.safetensors'));
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: weights file must be a file, but it is a folder/);
    const sharded = copy('bert-tiny');
    rmSync(join(sharded, 'model.safetensors'));
    writeFileSync(join(sharded, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { 'embeddings.word_embeddings.weight': '..' } }));
    await expect(load(sharded)).rejects.toThrow(/shard '\.\.' must be a file name in the same folder/);
  });

  it('weights, an ONNX file or an adapter reached through a path or symlink outside the folder are refused', async () => {
    const outside = tempFolder();
    copyFileSync(join(fixturePath('bert-tiny'), 'model.safetensors'), join(outside, 'model.safetensors'));
    const dir = copy('bert-tiny');
    rmSync(join(dir, 'model.safetensors'));
    symlinkSync(join(outside, 'model.safetensors'), join(dir, 'model.safetensors'));
    await expect(load(dir)).rejects.toThrow(/points outside the model folder/);
    await expect(load(fixturePath('bert-tiny'), { runtime: 'onnx', onnxFile: '../bert-tiny-f16/model.safetensors' })).rejects.toThrow(/option onnxFile: '\.\.\/bert-tiny-f16\/model\.safetensors' points outside the model folder/);
  });

  it('remote model names say that nothing is downloaded', async () => {
    for (const name of ['https://huggingface.co/BAAI/bge-small-en', 'hf://BAAI/bge-small-en', 'BAAI/bge-small-en@main', 'bge-small@v1.5']) {
      await expect(load(name)).rejects.toThrow(/names a remote model; nothing is downloaded here/);
    }
  });
});

describe('library arguments are checked when given', () => {
  it('fromPretrained and encode options: misspelt, zero, NaN or ill-typed values fail at once, naming the option', async () => {
    await expect(load(fixturePath('bert-tiny'), { batchSize: 0 })).rejects.toThrow(/fromPretrained options: option 'batchSize' must be an integer > 0, got 0/);
    await expect(load(fixturePath('bert-tiny'), { maxLength: Number.NaN })).rejects.toThrow(/option 'maxLength' must be an integer > 0/);
    await expect(load(fixturePath('bert-tiny'), { pooling_method: 'mean' } as never)).rejects.toThrow(/unknown option 'pooling_method'; known: poolingMethod/);
    const m = await load(fixturePath('bert-tiny'));
    await expect(m.encode(['a'], { maxLength: Number.NaN })).rejects.toThrow(/encode options: option 'maxLength' must be an integer > 0/);
    await expect(m.encode(['a'], { precision: 'int4' as never })).rejects.toThrow(/option 'precision' must be one of 'float32'/);
  });
});
