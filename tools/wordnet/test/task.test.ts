import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadBeir, loadDataset, type PairExample } from '@retrievals/data';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { InformationRetrievalEvaluator } from '@retrievals/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWordnetTask, mentionsLemma, parseDataLine, type BuildCounts } from '../src/index.js';

const files = (dir: string): Record<string, Buffer> => {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : (out[relative(dir, join(d, e.name))] = readFileSync(join(d, e.name)));
  };
  walk(dir);
  return out;
};
const jsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);

describe('parseDataLine (wndb(5))', () => {
  it('reads offset, hex word count, lemmas without adjective markers, definition and quoted examples', () => {
    const line = '00002312 00 a 02 abaxial(a) 0 dorsal_side 4 002 ;c 06047178 n 0000 ! 00002527 a 0101 | facing away from the axis; "the abaxial surface of a leaf"; "a dorsal fin" - Anon  ';
    expect(parseDataLine(line, 'adj', 'data.adj:30')).toEqual({ id: '00002312-a', offset: 2312, pos: 'adj', lemmas: ['abaxial', 'dorsal side'], definition: 'facing away from the axis', examples: ['the abaxial surface of a leaf', 'a dorsal fin'] });
    expect(() => parseDataLine('0000231 00 n 01 x 0 000 | gloss', 'noun', 'data.noun:31')).toThrow("data.noun:31: field 'synset_offset' must be 8 digits, got \"0000231\"");
    expect(() => parseDataLine('00002312 00 n 0f x 0 000 | gloss', 'noun', 'data.noun:32')).toThrow("data.noun:32: field 'w_cnt' must be a hex count");
    expect(() => parseDataLine('00002312 00 n 01 x 0 000', 'noun', 'data.noun:33')).toThrow("data.noun:33: expected 'offset lex_filenum");
  });

  it('the leak rule: a lemma as a whole word or phrase, any case; not inside another word', () => {
    expect(mentionsLemma('a Stick used for walking', ['stick'])).toBe(true);
    expect(mentionsLemma('made of ice cream and fruit', ['ice cream'])).toBe(true);
    expect(mentionsLemma('a thin piece of wood (sticks, twigs)', ['stick'])).toBe(false);
    expect(mentionsLemma('candlestick holder', ['stick'])).toBe(false);
  });
});

describe('buildWordnetTask on a 300-synset slice', () => {
  const a = mkdtempSync(join(tmpdir(), 'wordnet-a-')), b = mkdtempSync(join(tmpdir(), 'wordnet-b-'));
  let counts: BuildCounts;
  beforeAll(async () => {
    counts = await buildWordnetTask({ outDir: a, maxSynsets: 300, seed: 7 });
    await buildWordnetTask({ outDir: b, maxSynsets: 300, seed: 7 });
  }, 60_000);

  it('is deterministic: the same bytes twice; another seed draws another slice', async () => {
    const fa = files(a), fb = files(b);
    expect(Object.keys(fa).sort()).toEqual(['dev/corpus.jsonl', 'dev/qrels.tsv', 'dev/queries.jsonl', 'manifest.json', 'test/corpus.jsonl', 'test/qrels.tsv', 'test/queries.jsonl', 'train.jsonl']);
    for (const [name, bytes] of Object.entries(fa)) expect(bytes.equals(fb[name]!), name).toBe(true);
    const c = mkdtempSync(join(tmpdir(), 'wordnet-c-'));
    await buildWordnetTask({ outDir: c, maxSynsets: 300, seed: 8 });
    expect(files(c)['train.jsonl']!.equals(fa['train.jsonl']!)).toBe(false);
  }, 60_000);

  it('counts add up, the split is disjoint by synset, and dev/test load as BEIR with every qrel in the corpus', async () => {
    expect(counts.read).toBe(117791);
    expect(counts.read - counts.dropped.noExamples).toBe(33012);
    expect(counts.kept).toBe(300);
    const { train, dev, test } = counts.splits;
    expect(train.queries + dev.queries + test.queries).toBe(300);
    expect(train.queries).toBeGreaterThan(200);
    expect(Math.min(dev.queries, test.queries)).toBeGreaterThan(10);
    const trainIds = jsonl(join(a, 'train.jsonl')).map((r) => r.id!);
    const ids = [trainIds];
    for (const split of ['dev', 'test'] as const) {
      const beir = await loadBeir(join(a, split));
      const corpusIds = Object.keys(beir.corpus);
      expect([Object.keys(beir.queries).length, corpusIds.length]).toEqual([counts.splits[split].queries, counts.splits[split].corpus]);
      for (const [qid, judged] of Object.entries(beir.qrels)) {
        expect(Object.keys(judged)).toEqual([qid.slice(2)]);
        expect(corpusIds).toContain(qid.slice(2));
      }
      ids.push(corpusIds);
    }
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(300);
  });

  it('no query holds one of its own lemmas, and train.jsonl loads as pairs', async () => {
    const train = await loadDataset<PairExample>(join(a, 'train.jsonl'));
    expect([train.format.name, train.examples.length, train.skipped]).toEqual(['pair', counts.splits.train.queries, 0]);
    for (const split of ['dev', 'test']) {
      const beir = await loadBeir(join(a, split));
      for (const [qid, text] of Object.entries(beir.queries)) {
        const card = beir.corpus[qid.slice(2)] as { title: string; text: string };
        expect(mentionsLemma(text, card.title.split(', ')), `${qid}: ${text} / ${card.title}`).toBe(false);
        expect(card.text.length).toBeGreaterThan(0);
      }
    }
  });

  it('the dev split is what InformationRetrievalEvaluator takes', async () => {
    ensureFixtures();
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean' });
    const r = await new InformationRetrievalEvaluator({ ...(await loadBeir(join(a, 'dev'))), ks: [1, 10] }).evaluate(model);
    expect(r.queries).toBe(counts.splits.dev.queries);
    expect(r['ndcg@10']).toBeGreaterThanOrEqual(0);
    expect(r['ndcg@10']).toBeLessThanOrEqual(1);
  }, 60_000);
});
