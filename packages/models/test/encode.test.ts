import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@retrievals/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { applyInstruction, AutoModelForEmbedding, BackgroundTokenizer, documentText, lengthSortedBatches, pipelineBatches, quantizeEmbeddings } from '../src/index.js';
import { cleanupFolders, copyFixtureFiles, tempFolder } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

afterAll(cleanupFolders);

const TEXTS = ['short', 'a much longer text that needs many more tokens than the others', 'medium length text', 'x', 'another one of medium size'];

async function oneByOne(m: AutoModelForEmbedding, texts: string[], opts = {}): Promise<Float32Array> {
  const rows = await Promise.all(texts.map((t) => m.encode(t, opts)));
  const out = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => out.set(r as Float32Array, i * r.length));
  return out;
}

describe('encode', () => {
  for (const name of ['bert-tiny', 'llama-tiny', 'qwen2-tiny'] as const) {
    it(`${name}: batches sorted by length give the rows in input order, equal to one text at a time`, async () => {
      const m = await AutoModelForEmbedding.fromPretrained(fixturePath(name), { poolingMethod: 'mean' });
      const all = await m.encode(TEXTS, { batchSize: 2 });
      expect(all.dims).toEqual([5, 32]);
      expect(maxAbsDiff(all.data as Float32Array, await oneByOne(m, TEXTS))).toBeLessThan(1e-5);
    });
  }

  it('padding never changes an embedding: left and right padding, any batch company', async () => {
    for (const side of ['left', 'right'] as const) {
      const m = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny'), { paddingSide: side });
      const alone = (await m.encode('x')) as Float32Array;
      const inBatch = (await m.encode(TEXTS)).row(3);
      expect(maxAbsDiff(alone, inBatch)).toBeLessThan(1e-5);
    }
  });

  it('one string gives one vector; an empty list an empty matrix', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const v = await m.encode('hello');
    expect(v).toBeInstanceOf(Float32Array);
    expect(v).toHaveLength(32);
    expect((await m.encode([])).dims).toEqual([0, 32]);
    await expect(m.encode(['ok', 3 as never])).rejects.toThrow(/text 1 is number, expected a string/);
  });

  it('normalize, Matryoshka truncateDim (before normalising) and precisions', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const raw = await m.encode(TEXTS);
    const unit = await m.encode(TEXTS, { normalize: true });
    for (const row of unit) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    const small = await m.encode(TEXTS, { truncateDim: 8, normalize: true });
    expect(small.dims).toEqual([5, 8]);
    const first8 = raw.row(2).slice(0, 8), n = Math.hypot(...first8);
    expect(maxAbsDiff(small.row(2), first8.map((x) => x / n))).toBeLessThan(1e-6);
    for (const precision of ['int8', 'uint8', 'binary', 'ubinary'] as const) {
      const q = await m.encode(TEXTS, { precision });
      expect(q.precision).toBe(precision);
      expect(q.toArray()).toEqual(quantizeEmbeddings(raw as never, precision).toArray());
    }
    expect((await m.encode(TEXTS, { precision: 'binary' })).dims).toEqual([5, 4]);
    await expect(m.encode(TEXTS, { truncateDim: 33 })).rejects.toThrow(/truncateDim must be an integer in \[1, 32\]/);
  });

  it('encodeQueries / encodeCorpus apply instruction templates and keep the text', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('qwen2-tiny'), {
      queryInstruction: 'Instruct: find the answer\nQuery: ',
      documentInstruction: 'passage: {} (end)',
    });
    const q = await m.encodeQueries(['what is a fox?', 'why?']);
    expect(q.data).toEqual((await m.encode(['Instruct: find the answer\nQuery: what is a fox?', 'Instruct: find the answer\nQuery: why?'])).data);
    expect(maxAbsDiff(q.row(0), q.row(1))).toBeGreaterThan(1e-3); // not the bug that embedded the instruction alone
    const d = await m.encodeCorpus([{ title: 'Foxes', text: 'They are quick.' }, 'plain $& text']);
    expect(d.data).toEqual((await m.encode(['passage: Foxes They are quick. (end)', 'passage: plain $& text (end)'])).data);
    expect(await m.encodeQueries('why?')).toEqual(q.row(1));
  });

  it('showProgress: a bar on a TTY, plain lines otherwise', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const lines: string[] = [];
    await m.encode(TEXTS, { batchSize: 2, showProgress: true, progressStream: { write: (s: string) => lines.push(s) } });
    expect(lines.map((l) => l.replace(/ [\d.]+s\n$/, ''))).toEqual(['encode: 1/3 batches (33%)', 'encode: 2/3 batches (67%)', 'encode: 3/3 batches (100%)']);
    const tty: string[] = [];
    await m.encode(TEXTS, { batchSize: 2, showProgress: true, progressStream: { isTTY: true, write: (s: string) => tty.push(s) } });
    expect(tty[0]).toMatch(/^\rencode \[#{10}\.{20}\] 1\/3 batches/);
    expect(tty[tty.length - 1]).toBe('\n');
  });

  it('reads pooling and normalisation from a sentence-transformers folder', async () => {
    const dir = tempFolder();
    copyFixtureFiles('bert-tiny', dir, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);
    writeFileSync(join(dir, 'modules.json'), JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]));
    mkdirSync(join(dir, '1_Pooling'));
    writeFileSync(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 32, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }));
    const m = await AutoModelForEmbedding.fromPretrained(dir);
    expect([m.poolingMethod, m.normalize]).toEqual(['mean', true]);
    expect((await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'max', normalize: false })).poolingMethod).toBe('max');
  });
});

describe('batching helpers', () => {
  it('sorts longest first and restores nothing itself', () => {
    expect(lengthSortedBatches(['aa', 'a', 'aaaa', 'aaa'], 3)).toEqual([[2, 3, 0], [1]]);
  });

  it('tokenizes batch i+1 while batch i runs', async () => {
    const log: string[] = [];
    let release!: () => void;
    const results = await pipelineBatches(
      [[0], [1], [2]],
      (idx) => (log.push(`prepare ${idx[0]}`), idx[0]!),
      (p) =>
        new Promise<number>((res) => {
          log.push(`run ${p}`);
          release = () => res(p * 10);
          setTimeout(() => (log.push(`done ${p}`), release()), 5);
        }),
    );
    expect(results).toEqual([0, 10, 20]);
    // batch i+1 is asked for before batch i runs
    expect(log).toEqual(['prepare 0', 'prepare 1', 'run 0', 'done 0', 'prepare 2', 'run 1', 'done 1', 'run 2', 'done 2']);
  });

  it('a worker thread tokenizes exactly as the main thread does', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('qwen2-tiny'));
    const bg = new BackgroundTokenizer(m.tokenizer);
    const texts = [...TEXTS, 'Grüße, 你好 — 123456', ''];
    expect(await bg.encodeRaw(texts)).toEqual(texts.map((t) => m.tokenizer.encodeRaw(t)));
    expect(bg.usingWorker).toBe(true);
    await bg.close();
    expect(await bg.encodeRaw(['after close'])).toEqual([m.tokenizer.encodeRaw('after close')]);
  });

  it('instruction templates and corpus documents', () => {
    expect(applyInstruction('query: ', 'q')).toBe('query: q');
    expect(applyInstruction('<{}> and <{}>', 'q')).toBe('<q> and <q>');
    expect(applyInstruction('{}', '$& $1')).toBe('$& $1');
    expect(applyInstruction(undefined, 'q')).toBe('q');
    expect(documentText({ title: '', text: ' body ' })).toBe('body');
    expect(documentText({ title: 'T', text: 'body' }, '\n')).toBe('T\nbody');
  });
});
