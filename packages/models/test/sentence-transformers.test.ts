import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixturePath, type FixtureName } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, ConfigError } from '../src/index.js';
import { cleanupFolders, copyFixtureFiles, tempFolder } from './helpers/folders.js';

afterAll(cleanupFolders);

const TEXTS = ['hello world', Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), 'x'];
const MODULES = [
  { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
  { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
];
const POOLING = {
  word_embedding_dimension: 32, pooling_mode_cls_token: false, pooling_mode_mean_tokens: false, pooling_mode_max_tokens: true,
  pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: false, include_prompt: true,
};

/** A fixture folder plus sentence-transformers files (a string is written as is, e.g. broken JSON). */
function stFolder(files: Record<string, unknown>, fixture: FixtureName = 'bert-tiny'): string {
  const dir = tempFolder();
  copyFixtureFiles(fixture, dir, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors']);
  const all: Record<string, unknown> = { 'modules.json': MODULES, '1_Pooling/config.json': POOLING, ...files };
  for (const [path, value] of Object.entries(all)) {
    if (value === undefined) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  mkdirSync(join(dir, '2_Normalize'), { recursive: true });
  return dir;
}

const data = async (m: AutoModelForEmbedding, texts: string[]) => (await m.encode(texts)).data;

describe('reading a sentence-transformers folder', () => {
  it('honours pooling, Normalize, max_seq_length and the query/passage prompts', async () => {
    const dir = stFolder({
      'sentence_bert_config.json': { max_seq_length: 12, do_lower_case: false },
      'config_sentence_transformers.json': { __version__: { sentence_transformers: '2.7.0' }, prompts: { query: 'query: ', passage: 'passage: ' }, default_prompt_name: null },
    });
    const m = await AutoModelForEmbedding.fromPretrained(dir);
    expect([m.poolingMethod, m.normalize, m.maxLength, m.queryInstruction, m.documentInstruction]).toEqual(['max', true, 12, 'query: ', 'passage: ']);
    const plain = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'max', normalize: true, maxLength: 12 });
    expect((await m.encodeQueries(TEXTS)).data).toEqual(await data(plain, TEXTS.map((t) => `query: ${t}`)));
    expect((await m.encodeCorpus(TEXTS)).data).toEqual(await data(plain, TEXTS.map((t) => `passage: ${t}`)));
    expect(await data(m, TEXTS)).not.toEqual(await data(await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny')), TEXTS));

    // Explicit options win over every file.
    const o = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'cls', normalize: false, maxLength: 20, queryInstruction: 'q: {}', documentInstruction: '' });
    expect([o.poolingMethod, o.normalize, o.maxLength, o.queryInstruction, o.documentInstruction]).toEqual(['cls', false, 20, 'q: {}', '']);
  });

  it('picks the document prompt as sentence-transformers does (first of document, passage, corpus present), and nomic names', async () => {
    const pick = async (prompts: Record<string, string>) => {
      const m = await AutoModelForEmbedding.fromPretrained(stFolder({ 'config_sentence_transformers.json': { prompts } }));
      return [m.queryInstruction, m.documentInstruction];
    };
    expect(await pick({ query: '', document: '', passage: 'p: ' })).toEqual([undefined, undefined]);
    expect(await pick({ passage: 'p: ', corpus: 'c: ' })).toEqual([undefined, 'p: ']);
    expect(await pick({ search_query: 'search_query: ', search_document: 'search_document: ' })).toEqual(['search_query: ', 'search_document: ']);
  });

  it('do_lower_case lowercases texts, and savePretrained writes it back', async () => {
    const dir = stFolder({ 'sentence_bert_config.json': { max_seq_length: 64, do_lower_case: true }, '1_Pooling/config.json': { ...POOLING, pooling_mode_max_tokens: false, pooling_mode_mean_tokens: true } }, 'xlmr-tiny');
    const m = await AutoModelForEmbedding.fromPretrained(dir);
    const plain = await AutoModelForEmbedding.fromPretrained(fixturePath('xlmr-tiny'), { poolingMethod: 'mean', normalize: true });
    expect(await data(plain, ['Hello WORLD'])).not.toEqual(await data(plain, ['hello world'])); // the fixture is cased
    expect(await data(m, ['Hello WORLD'])).toEqual(await data(plain, ['hello world']));
    const out = join(tempFolder(), 'out');
    await m.savePretrained(out);
    expect(JSON.parse(readFileSync(join(out, 'sentence_bert_config.json'), 'utf8'))).toEqual({ max_seq_length: 64, do_lower_case: true });
    expect((await AutoModelForEmbedding.fromPretrained(out)).doLowerCase).toBe(true);
  });

  it('clamps a max_seq_length beyond the position table (an explicit maxLength there is an error)', async () => {
    const dir = stFolder({ 'sentence_bert_config.json': { max_seq_length: 512, do_lower_case: false } });
    expect((await AutoModelForEmbedding.fromPretrained(dir)).maxLength).toBe(128);
    await expect(AutoModelForEmbedding.fromPretrained(dir, { maxLength: 512 })).rejects.toThrow('maxLength 512 exceeds');
  });

  it('a Pooling module with no flag, or no config, is refused as sentence-transformers refuses it; an explicit poolingMethod does not save it', async () => {
    const noFlag = stFolder({ '1_Pooling/config.json': { word_embedding_dimension: 32 } });
    await expect(AutoModelForEmbedding.fromPretrained(noFlag)).rejects.toThrow(/1_Pooling\/config\.json: the Pooling module sets no pooling_mode_\* flag to true/);
    const missing = stFolder({});
    rmSync(join(missing, '1_Pooling', 'config.json'));
    await expect(AutoModelForEmbedding.fromPretrained(missing)).rejects.toThrow(/1_Pooling\/config\.json: the Pooling module's config\.json is missing/);
  });

  it('a module path outside the folder (or a symlink out of it) is refused', async () => {
    const outside = stFolder({ 'modules.json': [{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }, { idx: 1, name: '1', path: '../elsewhere', type: 'sentence_transformers.models.Pooling' }] });
    await expect(AutoModelForEmbedding.fromPretrained(outside)).rejects.toThrow(/field 'path'.*'\.\.\/elsewhere' points outside the model folder/);
    const linked = stFolder({});
    rmSync(join(linked, '1_Pooling'), { recursive: true });
    symlinkSync(tmpdir(), join(linked, '1_Pooling'));
    await expect(AutoModelForEmbedding.fromPretrained(linked)).rejects.toThrow(/'1_Pooling' points outside the model folder/);
  });
});

describe('malformed sentence-transformers files are ConfigErrors naming the file and field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['modules.json is not JSON', { 'modules.json': '[{"idx": 0,' }, /modules\.json: not valid JSON/],
    ['1_Pooling/config.json is not JSON', { '1_Pooling/config.json': '{"pooling_mode_cls_token": tru' }, /1_Pooling\/config\.json: not valid JSON/],
    ['config_sentence_transformers.json is not JSON', { 'config_sentence_transformers.json': '{prompts: {}}' }, /config_sentence_transformers\.json: not valid JSON/],
    ['modules.json is not a list', { 'modules.json': { idx: 0 } }, /modules\.json: expected a JSON array of modules/],
    ['a module without a type', { 'modules.json': [{ idx: 0, path: '' }] }, /modules\.json \(module 0\): field 'type' is nothing \(missing\)/],
    ['a module path that is not a string', { 'modules.json': [{ idx: 0, type: 'sentence_transformers.models.Transformer', path: 3 }] }, /modules\.json \(module 0\): field 'path' must be a string, got 3/],
    ['a Dense module', { 'modules.json': [...MODULES, { idx: 3, name: '3', path: '3_Dense', type: 'sentence_transformers.models.Dense' }] }, /module 3\): field 'type' is "sentence_transformers\.models\.Dense", which is not supported/],
    ['a pooling flag that is not a boolean', { '1_Pooling/config.json': { ...POOLING, pooling_mode_max_tokens: 'yes' } }, /1_Pooling\/config\.json: field 'pooling_mode_max_tokens' must be true or false, got "yes"/],
    ['two pooling flags', { '1_Pooling/config.json': { ...POOLING, pooling_mode_cls_token: true } }, /pooling_mode_cls_token \+ pooling_mode_max_tokens are combined/],
    ['include_prompt false', { '1_Pooling/config.json': { ...POOLING, include_prompt: false } }, /1_Pooling\/config\.json: field 'include_prompt' is false/],
    ['max_seq_length not an integer', { 'sentence_bert_config.json': { max_seq_length: '256' } }, /sentence_bert_config\.json: field 'max_seq_length' must be a positive integer, got "256"/],
    ['a prompt that is not a string', { 'config_sentence_transformers.json': { prompts: { query: 5 } } }, /config_sentence_transformers\.json: field 'prompts\.query' must be a string, got 5/],
    ['prompts not an object', { 'config_sentence_transformers.json': { prompts: ['query: '] } }, /config_sentence_transformers\.json: field 'prompts' must be a JSON object/],
    ['a prompt containing {}', { 'config_sentence_transformers.json': { prompts: { query: 'q {} ' } } }, /field 'prompts\.query' contains '\{\}'/],
    ['our key with a wrong type', { 'config_sentence_transformers.json': { retrievals: { query_instruction: 3 } } }, /config_sentence_transformers\.json \(retrievals\): field 'query_instruction' must be a string, got 3/],
  ];
  it.each(cases)('%s', async (_, files, message) => {
    const err = await AutoModelForEmbedding.fromPretrained(stFolder(files)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });
});
