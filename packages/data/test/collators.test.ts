import { fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding, TextTokenizer } from '@retrievals/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { classesOf, DataError, derivedGenerator, formats, lengthBuckets, ListwiseCollator, PointCollator, RetrievalCollator, ScoredPairCollator } from '../src/index.js';

let tok: TextTokenizer;
beforeAll(() => {
  tok = TextTokenizer.fromFolder(fixturePath('bert-tiny'));
});

const where = { file: 'mem', line: 1 };
const triplets = [
  { query: 'what is a fox', positive: ['a quick brown animal', 'a canine'], negative: ['a lazy dog', 'a cat', 'the sun'] },
  { query: 'sky colour', positive: ['the sky is blue'], negative: ['grass is green'] },
].map((r) => formats.create('triplet').parse(r, where));

const rowsOf = (ids: BigInt64Array, t: number) => Array.from({ length: ids.length / t }, (_, r) => Array.from(ids.subarray(r * t, (r + 1) * t), Number));

describe('RetrievalCollator', () => {
  it('tokenizes each key to its own max length, pads to a bucket, lays negatives out as B·(G−1) rows', () => {
    const c = new RetrievalCollator(tok, { keys: ['query', 'positive', 'negative'], maxLengths: [8, 24, 24], trainGroupSize: 4 });
    expect(c.fields).toEqual(['query', 'positive', 'negative']);
    const b = c.collate(triplets, { generator: derivedGenerator(0, 0), rows: [10, 11] });
    expect(b.rows).toEqual([10, 11]);
    expect(b.texts.query!.tokens.inputIds.shape).toEqual([2, 8]);
    expect(b.texts.negative!.texts).toHaveLength(2 * 3);
    expect(b.texts.negative!.texts.slice(3)).toEqual(['grass is green', 'grass is green', 'grass is green']);
    expect(triplets[0]!.negative).toEqual(expect.arrayContaining(b.texts.negative!.texts.slice(0, 3)));
    const [tn] = [b.texts.negative!.tokens.inputIds.shape[1]!];
    expect(lengthBuckets(24)).toContain(tn);
    // truncation keeps [CLS] … [SEP]: the query is cut to 8 tokens with its specials
    const long = c.collate([{ query: 'one two three four five six seven eight nine ten', positive: 'x', negative: 'y' }]);
    const ids = rowsOf(long.texts.query!.tokens.inputIds.buffer as BigInt64Array, 8)[0]!;
    expect(ids[0]).toBe(tok.encodeRaw('a').ids[0]);
    expect(ids[7]).toBe(tok.encodeRaw('a').ids.at(-1));
  });

  it('applies instructions, takes a model for its settings, and needs a negatives count per batch without trainGroupSize', async () => {
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const c = new RetrievalCollator(model, { keys: ['query', 'positive'], queryInstruction: 'query: ', documentInstruction: 'passage: {}!' });
    const b = c.collate([{ query: 'a', positive: 'b' }]);
    expect(b.texts.query!.texts).toEqual(['query: a']);
    expect(b.texts.positive!.texts).toEqual(['passage: b!']);
    expect(b.texts.query!.maxLength).toBe(model.maxLength);
    expect(c.fields).toEqual(['query', 'positive']);
    const plain = new RetrievalCollator(tok, { maxLengths: 16 });
    expect(() => plain.collate(triplets)).toThrow("RetrievalCollator: row 0: field 'positive' holds 2 texts; set trainGroupSize");
    expect(() => plain.collate([{ query: 'a', positive: 'b', negative: ['c'] }, { query: 'd', positive: 'e', negative: ['f', 'g'] }])).toThrow("row 1: field 'negative' holds 2 negatives, row 0 1");
    expect(() => plain.collate([{ query: '', positive: 'b', negative: 'c' }])).toThrow("row 0: field 'query' is an empty text");
    expect(() => plain.collate([{ query: 'a', positive: 3, negative: 'c' }] as never)).toThrow(DataError);
    expect(() => new RetrievalCollator(tok, { maxLengths: [8, 8] })).toThrow("option 'maxLengths' has 2 entries for 3 keys");
    expect(() => new RetrievalCollator(tok, { keys: ['query', 'positive'], trainGroupSize: 3 })).toThrow("needs a negatives key");
    await model.dispose();
  });

  it('teacher scores follow the sampled group as [B, G]; G = 1 drops the negatives', () => {
    const ex = formats.create('teacher-scored').parse({ query: 'q', pos: ['p'], neg: ['n1', 'n2'], pos_scores: [5], neg_scores: [1, 2] }, where);
    const c = new RetrievalCollator(tok, { maxLengths: 16, trainGroupSize: 3, teacherScoresKey: 'teacherScores' });
    expect(c.fields).toEqual(['query', 'positive', 'negative', 'teacherScores']);
    const b = c.collate([ex], { generator: derivedGenerator(1, 2) });
    const s = Array.from(b.targets.teacherScores!.dataSync() as Float32Array);
    expect(b.targets.teacherScores!.shape).toEqual([1, 3]);
    expect(s[0]).toBe(5);
    expect(b.texts.negative!.texts.map((t) => (t === 'n1' ? 1 : 2))).toEqual(s.slice(1));
    const g1 = new RetrievalCollator(tok, { maxLengths: 16, trainGroupSize: 1 });
    expect(g1.fields).toEqual(['query', 'positive']);
    expect(g1.collate(triplets).texts.negative).toBeUndefined();
  });

  it('records the batch shapes it produced: a bounded number of signatures', () => {
    const c = new RetrievalCollator(tok, { keys: ['query', 'positive'], maxLengths: [16, 64] });
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
    for (let i = 1; i < 60; i++) c.collate([{ query: words.slice(0, 1 + (i % 12)).join(' '), positive: words.slice(0, 1 + (i % 19)).join(' ').repeat(1 + (i % 3)) }]);
    expect(c.stats.signatures.size).toBeLessThanOrEqual(lengthBuckets(16).length * lengthBuckets(64).length);
    expect(c.stats.signatures.size).toBeGreaterThan(1);
    expect(lengthBuckets(64)).toEqual([8, 16, 32, 64]);
    expect(lengthBuckets(100)).toEqual([8, 16, 32, 64, 100]);
  });
});

describe('scored, point-wise and listwise collators', () => {
  it('ScoredPairCollator: two texts and float labels [B]', () => {
    const ex = [{ text1: 'a man runs', text2: 'a person runs', score: 4.5 }, { text1: 'a cat', text2: 'a car', score: 0.5 }].map((r) => formats.create('scored-pair').parse(r, where));
    const b = new ScoredPairCollator(tok, { maxLengths: 16 }).collate(ex);
    expect(Array.from(b.targets.labels!.dataSync() as Float32Array)).toEqual([4.5, 0.5]);
    expect(b.texts.positive!.texts).toEqual(['a person runs', 'a car']);
  });

  it('PointCollator: texts as embeddings and int64 class ids, string labels through classes', () => {
    const ex = [{ text: 'red apple', label: 'fruit' }, { text: 'oak', label: 'tree' }, { text: 'pear', label: 'fruit' }].map((r) => formats.create('point').parse(r, where));
    const c = new PointCollator(tok, { maxLength: 16, classes: classesOf(ex) });
    const b = c.collate(ex);
    expect(b.targets.labels!.dtype).toBe('int64');
    expect(Array.from(b.targets.labels!.dataSync(), Number)).toEqual([0, 1, 0]);
    expect(() => new PointCollator(tok, { maxLength: 16 }).collate(ex)).toThrow("row 0: field 'label' is string \"fruit\"; string labels need option 'classes'");
  });

  it('ListwiseCollator: first document as positive, the rest as negatives, grades [B, G]', () => {
    const ex = [{ query: 'q1', docs: ['a', 'b', 'c'], scores: [2, 1, 0] }, { query: 'q2', docs: ['d', 'e', 'f'], scores: [0, 3, 1] }].map((r) => formats.create('listwise').parse(r, where));
    const b = new ListwiseCollator(tok, { maxLengths: 16 }).collate(ex);
    expect(b.texts.positive!.texts).toEqual(['a', 'd']);
    expect(b.texts.negative!.texts).toEqual(['b', 'c', 'e', 'f']);
    expect(b.targets.labels!.shape).toEqual([2, 3]);
    expect(Array.from(b.targets.labels!.dataSync() as Float32Array)).toEqual([2, 1, 0, 0, 3, 1]);
    expect(() => new ListwiseCollator(tok, { maxLengths: 16 }).collate([ex[0]!, { query: 'x', docs: ['y', 'z'], labels: [1, 0] }])).toThrow("row 1: field 'docs' holds 2 documents, row 0 3");
  });
});
