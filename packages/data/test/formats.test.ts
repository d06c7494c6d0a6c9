import { definePlugin, installPlugin, OptionError, Registry } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { DataError, defineFormat, formats, type FormatFactory } from '../src/index.js';

const at = { file: 'train.jsonl', line: 7 };
const parse = (name: string, record: Record<string, unknown>, options?: Record<string, unknown>) => formats.create({ ...options, name }).parse(record, at);

describe('built-in example formats', () => {
  it('are registered by @retrievals/data with their fields', () => {
    const fields = Object.fromEntries(formats.entries().map((e) => [e.name, e.value().fields]));
    expect(fields).toEqual({
      listwise: ['query', 'docs', 'labels'],
      pair: ['query', 'positive'],
      point: ['text', 'label'],
      'scored-pair': ['text1', 'text2', 'score'],
      'teacher-scored': ['query', 'positive', 'negative', 'teacherScores'],
      triplet: ['query', 'positive', 'negative'],
    });
    expect(new Set(formats.entries().map((e) => e.source))).toEqual(new Set(['@retrievals/data']));
    expect(formats.get('group')).toBe(formats.get('triplet'));
  });

  it('point: text and label', () => {
    expect(parse('point', { text: 'a', label: 3 })).toEqual({ text: 'a', label: 3 });
    expect(parse('pointwise', { sentence: 'a', y: 'cat' }, { textKey: 'sentence', labelKey: 'y' })).toEqual({ text: 'a', label: 'cat' });
    expect(() => parse('point', { text: 'a', label: 1.5 })).toThrow("train.jsonl:7: field 'label' must be a string or an integer class label, got number 1.5 (format 'point')");
    expect(() => parse('point', { label: 1 })).toThrow("train.jsonl:7: field 'text' is missing; the record has 'label' (format 'point')");
  });

  it('pair: query and positive, reading `pos` as FlagEmbedding writes it', () => {
    expect(parse('pair', { query: 'q', positive: 'p' })).toEqual({ query: 'q', positive: 'p' });
    expect(parse('pair', { query: 'q', pos: ['p'] })).toEqual({ query: 'q', positive: 'p' });
    expect(parse('pair', { q: 'q', doc: 'p' }, { queryKey: 'q', positiveKey: 'doc' })).toEqual({ query: 'q', positive: 'p' });
    expect(() => parse('pair', { query: 'q' })).toThrow("train.jsonl:7: field 'positive' is missing (also looked for 'pos'); the record has 'query' (format 'pair')");
    expect(() => parse('pair', { query: 'q', pos: ['a', 'b'] })).toThrow("field 'pos' holds 2 texts; a pair has one positive");
    expect(() => parse('pair', { query: 7, pos: 'p' })).toThrow("train.jsonl:7: field 'query' must be a string, got number 7 (format 'pair')");
  });

  it('triplet / group: positive and negative each a text or a list of texts', () => {
    expect(parse('triplet', { query: 'q', positive: 'p', negative: 'n' })).toEqual({ query: 'q', positive: ['p'], negative: ['n'] });
    expect(parse('group', { query: 'q', pos: ['p1', 'p2'], neg: ['n1', 'n2', 'n3'] })).toEqual({ query: 'q', positive: ['p1', 'p2'], negative: ['n1', 'n2', 'n3'] });
    expect(() => parse('triplet', { query: 'q', pos: 'p', neg: [] })).toThrow("train.jsonl:7: field 'neg' must hold at least 1 text, got 0 (format 'triplet')");
    expect(() => parse('triplet', { query: 'q', pos: 'p', neg: ['n', 3] })).toThrow(/train\.jsonl:7: field 'neg' must be a string or an array of strings, got an array \["n",3\]/);
    expect(() => parse('triplet', { query: 'q', pos: 'p', hard: 'n' }, { negativeKey: 'negs' })).toThrow("train.jsonl:7: field 'negs' is missing; the record has 'query', 'pos', 'hard' (format 'triplet')");
  });

  it('scored pair: two texts and a finite score', () => {
    expect(parse('scored-pair', { text1: 'a', text2: 'b', score: 0.8 })).toEqual({ text1: 'a', text2: 'b', score: 0.8 });
    expect(parse('sts', { text1: 'a', text2: 'b', label: 4 }, { scoreKey: 'label' })).toEqual({ text1: 'a', text2: 'b', score: 4 });
    expect(() => parse('scored-pair', { text1: 'a', text2: 'b', score: '0.8' })).toThrow("train.jsonl:7: field 'score' must be a finite number, got string '0.8' (format 'scored-pair')");
  });

  it('listwise: a grade for every text', () => {
    expect(parse('listwise', { query: 'q', docs: ['a', 'b', 'c'], scores: [2, 0, 1] })).toEqual({ query: 'q', docs: ['a', 'b', 'c'], labels: [2, 0, 1] });
    expect(() => parse('listwise', { query: 'q', docs: ['a', 'b'], scores: [2] })).toThrow("train.jsonl:7: field 'scores' has 1 scores for 2 texts in 'docs' (format 'listwise')");
    expect(() => parse('listwise', { query: 'q', docs: ['a'], scores: [2] })).toThrow("field 'docs' must hold at least 2 texts, got 1");
  });

  it('teacher-scored: scores in group order, positives first', () => {
    const row = { query: 'q', pos: ['p'], neg: ['n1', 'n2'], pos_scores: [0.9], neg_scores: [0.2, 0.1] };
    expect(parse('teacher-scored', row)).toEqual({ query: 'q', positive: ['p'], negative: ['n1', 'n2'], teacherScores: [0.9, 0.2, 0.1] });
    expect(() => parse('distill', { ...row, neg_scores: [0.2] })).toThrow("train.jsonl:7: field 'neg_scores' has 1 scores for 2 texts in 'neg' (format 'teacher-scored')");
    expect(() => parse('distill', { ...row, pos_scores: [NaN] })).toThrow("field 'pos_scores' must be an array of finite numbers");
  });

  it('refuse a record that is not an object, and options they do not take, naming the format', () => {
    expect(() => formats.create('pair').parse([] as never, at)).toThrow(new DataError("train.jsonl:7: expected an object record (format 'pair'), got an array"));
    expect(() => formats.create({ name: 'pair', negativeKey: 'neg' })).toThrow("example format pair: unknown option 'negativeKey'; known: queryKey, positiveKey");
    expect(() => formats.create({ name: 'pair', queryKey: '' })).toThrow(OptionError);
  });
});

describe('defineFormat in a plugin', () => {
  it('gives a plugin format the same typed reads and errors', async () => {
    const registry = new Registry<FormatFactory>('example format');
    const qa = defineFormat<{ query: string; positive: string }>({
      name: 'qa',
      fields: ['query', 'positive'],
      parse: (read) => ({ query: read.string('question'), positive: read.string('answer') }),
    });
    await installPlugin(definePlugin({ name: '@acme/qa', setup: ({ formats: f }) => void f!.register('qa', qa) }), { formats: registry });
    expect(registry.create('qa').parse({ question: 'q', answer: 'a' }, at)).toEqual({ query: 'q', positive: 'a' });
    expect(() => registry.create('qa').parse({ question: 'q' }, at)).toThrow("train.jsonl:7: field 'answer' is missing; the record has 'question' (format 'qa')");
    expect(registry.sourceOf('qa')).toBe('@acme/qa');
  });
});
