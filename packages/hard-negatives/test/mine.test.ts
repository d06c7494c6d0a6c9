import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, OptionError } from '@retrievals/core-tensor';
import { DataError, loadDataset } from '@retrievals/data';
import { fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHardNegatives, checkMiningPaths, formatHardNegativesReport, MiningError, type BuildHardNegativesOptions, type MiningPaths } from '../src/index.js';
import { tableModel, tmp, writeJsonl } from './helpers.js';

const readJsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** A unit vector in 2-D whose cosine with [1, 0] is c. */
const at = (c: number) => [c, Math.sqrt(1 - c * c)];

describe('buildHardNegatives with a table model (exact scores)', () => {
  // One query [1, 0]; its positive scores 0.9; candidates score 0.85, 0.80, ..., 0.05.
  const docs = Array.from({ length: 17 }, (_, i) => `doc ${i}`);
  const table: Record<string, number[]> = { 'the query': [1, 0], 'the positive': at(0.9) };
  docs.forEach((d, i) => (table[d] = at(0.85 - 0.05 * i)));
  const dir = tmp();
  const input = writeJsonl(join(dir, 'train.jsonl'), [{ id: 'r1', query: 'the query', pos: 'the positive', neg: docs, extra: { kept: true } }]);
  const run = (o: Partial<BuildHardNegativesOptions> = {}, name = 'out.jsonl') =>
    buildHardNegatives({ model: tableModel(table, 2), inputFile: input, outputFile: join(dir, name), rangeForSampling: [0, 10], negativeNumber: 4, samplingStrategy: 'top', ...o });

  it('keeps the row as it was, replacing its negatives with the top eligible ones; outputScores writes teacher scores', async () => {
    const report = await run({ outputScores: true });
    const [row] = readJsonl(join(dir, 'out.jsonl'));
    expect(row).toEqual({
      id: 'r1',
      query: 'the query',
      pos: 'the positive',
      neg: ['doc 0', 'doc 1', 'doc 2', 'doc 3'],
      extra: { kept: true },
      pos_scores: [expect.closeTo(0.9, 5)],
      neg_scores: [0.85, 0.8, 0.75, 0.7].map((s) => expect.closeTo(s, 5)),
    });
    // The positive is rank 0 of the retrieved list: removed, counted.
    expect(report.removed.positives).toBe(1);
    expect(report.scores.positive.count).toBe(1);
    expect(report.scores.negative.median).toBeCloseTo(0.775, 5);
    // It trains directly: @retrievals/data reads it as the teacher-scored (distillation) format.
    const ds = await loadDataset(join(dir, 'out.jsonl'));
    expect(ds.format.name).toBe('teacher-scored');
    expect(ds.examples[0]).toMatchObject({ query: 'the query', positive: ['the positive'], negative: ['doc 0', 'doc 1', 'doc 2', 'doc 3'] });
    const lines = formatHardNegativesReport(report);
    expect(lines[0]).toMatch(/^build-hn: .*train\.jsonl → .*out\.jsonl \(input\): 1 records from 1 rows$/);
    expect(lines.join('\n')).toMatch(/removed from the range: positives 1/);
  });

  it("applies max/min score and sentence-transformers' absolute / relative margins to the positive's score", async () => {
    const pick = async (o: Partial<BuildHardNegativesOptions>) => {
      const r = await run({ negativeNumber: 3, ...o });
      return { neg: readJsonl(join(dir, 'out.jsonl'))[0]!.neg, removed: r.removed };
    };
    expect((await pick({ maxScore: 0.72 })).neg).toEqual(['doc 3', 'doc 4', 'doc 5']);
    expect((await pick({ maxScore: 0.72 })).removed.maxScore).toBe(3);
    // absolute 0.2: keep iff s + 0.2 <= 0.9 → s <= 0.7
    expect((await pick({ absoluteMargin: 0.2 })).neg).toEqual(['doc 4', 'doc 5', 'doc 6']);
    // relative 0.52: keep iff s <= 0.9 × 0.48 = 0.432
    expect((await pick({ relativeMargin: 0.52 })).neg).toEqual(['doc 9', 'doc 10', 'doc 11']);
    // ranks 10..12 are doc 9..11 (0.40, 0.35, 0.30): under minScore, and so is everything beyond.
    const low = await pick({ minScore: 0.42, rangeForSampling: [9, 12] });
    expect(low.neg).toEqual(['doc 8']);
    expect(low.removed.minScore).toBe(2);
  });

  it('fills short rows from beyond the range, still filtered, and reports the rows still short', async () => {
    // Ranks 1..4 (the positive is rank 0): doc 0..3; range [1, 4) holds doc 0..2; maxScore drops doc 0, doc 1.
    const r = await run({ rangeForSampling: [1, 4], negativeNumber: 5, maxScore: 0.78 });
    expect(readJsonl(join(dir, 'out.jsonl'))[0]!.neg).toEqual(['doc 2', 'doc 3', 'doc 4', 'doc 5', 'doc 6']);
    expect(r.filled).toBe(4);
    expect(r.short.rows).toBe(0);
    // Searching only 8 deep cannot supply 10.
    const s = await run({ rangeForSampling: [1, 4], negativeNumber: 10, searchDepth: 8 });
    expect(readJsonl(join(dir, 'out.jsonl'))[0]!.neg).toHaveLength(7);
    expect(s.short).toEqual({ rows: 1, missing: 3, byMissing: { 3: 1 } });
    expect(formatHardNegativesReport(s).join('\n')).toMatch(/1 rows \(100\.00%\) got fewer than 10 negatives, 3 missing in all \(1 short by 3\)/);
  });

  it('reads training rows from CSV too (through @retrievals/data), one positive per cell', async () => {
    const csv = join(dir, 'train.csv');
    writeFileSync(csv, 'query,pos\nthe query,the positive\n');
    const poolFile = writeJsonl(join(dir, 'pool-csv.jsonl'), docs.map((text) => ({ text })));
    await run({ inputFile: csv, candidatePool: poolFile, negativeNumber: 2 });
    expect(readJsonl(join(dir, 'out.jsonl'))).toEqual([{ query: 'the query', pos: 'the positive', neg: ['doc 0', 'doc 1'] }]);
  });

  it('appends to the row\'s negatives without repeating them, with scores for all', async () => {
    const twoNeg = writeJsonl(join(dir, 'two.jsonl'), [{ query: 'the query', pos: ['the positive'], neg: ['doc 1', 'doc 5'] }]);
    const poolFile = writeJsonl(join(dir, 'pool.jsonl'), docs.map((text) => ({ text })));
    await run({ inputFile: twoNeg, candidatePool: poolFile, negativesMode: 'append', outputScores: true, negativeNumber: 3 });
    const [row] = readJsonl(join(dir, 'out.jsonl'));
    expect(row!.neg).toEqual(['doc 1', 'doc 5', 'doc 0', 'doc 2', 'doc 3']);
    expect((row!.neg_scores as number[]).map((x) => Number(x.toFixed(4)))).toEqual([0.8, 0.6, 0.85, 0.75, 0.7]);
    await run({ inputFile: twoNeg, candidatePool: poolFile, negativeNumber: 3 });
    expect(readJsonl(join(dir, 'out.jsonl'))[0]!.neg).toEqual(['doc 0', 'doc 1', 'doc 2']);
  });

  it("append: a titled pool document whose bare text is one of the row's negatives is not picked again; append needs outputFormat 'input'", async () => {
    const twoNeg = writeJsonl(join(dir, 'two-titled.jsonl'), [{ query: 'the query', pos: ['the positive'], neg: ['doc 1', 'doc 5'] }]);
    // 'doc 1' is in the pool with a title: embedded and written as 'T doc 1', at doc 1's score.
    const poolFile = writeJsonl(join(dir, 'pool-titled.jsonl'), docs.map((text) => (text === 'doc 1' ? { title: 'T', text } : { text })));
    const titled = { ...table, 'T doc 1': table['doc 1']! };
    const o = { model: tableModel(titled, 2), inputFile: twoNeg, candidatePool: poolFile, outputFile: join(dir, 'titled.jsonl'), rangeForSampling: [0, 10] as [number, number], samplingStrategy: 'top' as const, negativesMode: 'append' as const, negativeNumber: 3 };
    await buildHardNegatives(o);
    expect(readJsonl(join(dir, 'titled.jsonl'))[0]!.neg).toEqual(['doc 1', 'doc 5', 'doc 0', 'doc 2', 'doc 3']);
    // Replacing, the titled document is a candidate like any other.
    await buildHardNegatives({ ...o, negativesMode: 'replace' });
    expect(readJsonl(join(dir, 'titled.jsonl'))[0]!.neg).toEqual(['doc 0', 'T doc 1', 'doc 2']);
    await expect(buildHardNegatives({ ...o, outputFormat: 'triplet' })).rejects.toThrow(new MiningError("build-hn: negativesMode 'append' applies only to outputFormat 'input' (the rows' own negatives are kept there), not to outputFormat 'triplet'"));
  });
});

describe('output formats', () => {
  const gen = new Generator(5);
  const dir = tmp();
  const rows = Array.from({ length: 12 }, (_, i) => ({ query: `query ${i}`, pos: i % 3 === 0 ? [`answer ${i}`, `other answer ${i}`] : `answer ${i}`, neg: [`wrong ${i}`] }));
  const input = writeJsonl(join(dir, 'train.jsonl'), rows);
  const pool = writeJsonl(join(dir, 'pool.jsonl'), Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, text: `passage ${gen.int(1000)} ${i}` })));
  const mine = (outputFormat: BuildHardNegativesOptions['outputFormat'], extra: Partial<BuildHardNegativesOptions> = {}) =>
    buildHardNegatives({ model: tableModel({}, 16), inputFile: input, candidatePool: pool, outputFile: join(dir, `${outputFormat}.jsonl`), rangeForSampling: [2, 20], negativeNumber: 3, outputFormat, ...extra });

  it('triplet: one record per positive × negative, loadable as a triplet (or teacher-scored) set', async () => {
    const r = await mine('triplet', { outputScores: true });
    const out = readJsonl(join(dir, 'triplet.jsonl'));
    expect(out).toHaveLength((12 + 4) * 3);
    expect(r.recordsWritten).toBe(48);
    expect(Object.keys(out[0]!)).toEqual(['query', 'pos', 'negative', 'pos_scores', 'neg_scores']);
    expect((await loadDataset(join(dir, 'triplet.jsonl'))).format.name).toBe('teacher-scored');
    await mine('triplet');
    expect((await loadDataset(join(dir, 'triplet.jsonl'))).format.name).toBe('triplet');
  });

  it('n-tuple (and n-tuple-scores): negative_1..n per positive, rows without n negatives dropped', async () => {
    await mine('n-tuple');
    const out = readJsonl(join(dir, 'n-tuple.jsonl'));
    expect(out).toHaveLength(16);
    expect(Object.keys(out[0]!)).toEqual(['query', 'pos', 'negative_1', 'negative_2', 'negative_3']);
    const short = await mine('n-tuple', { negativeNumber: 45 }); // more than the pool holds
    expect(short.rowsDropped).toBe(12);
    expect(readFileSync(join(dir, 'n-tuple.jsonl'), 'utf8')).toBe('');
    await mine('n-tuple-scores');
    const scored = readJsonl(join(dir, 'n-tuple-scores.jsonl'));
    expect((scored[0]!.score as number[]).length).toBe(4);
  });

  it('labeled-pair: the positives labelled 1 and the negatives 0; labeled-list: docs with labels (and scores)', async () => {
    await mine('labeled-pair', { outputScores: true });
    const pairs = readJsonl(join(dir, 'labeled-pair.jsonl'));
    expect(pairs).toHaveLength(16 + 36);
    expect(pairs[0]).toMatchObject({ query: 'query 0', pos: 'answer 0', label: 1 });
    expect(pairs[2]).toMatchObject({ query: 'query 0', label: 0 });
    expect(typeof pairs[2]!.score).toBe('number');
    await mine('labeled-list', { outputScores: true });
    const lists = readJsonl(join(dir, 'labeled-list.jsonl'));
    expect(lists).toHaveLength(16);
    expect(lists[0]).toMatchObject({ query: 'query 0', labels: [1, 0, 0, 0] });
    expect((lists[0]!.docs as string[])[0]).toBe('answer 0');
    // With scores it is the listwise format (graded by the teacher scores).
    expect((await loadDataset(join(dir, 'labeled-list.jsonl'))).format.name).toBe('listwise');
  });

  it('no positive is ever among the negatives, over random data (a seeded loop)', async () => {
    const g = new Generator(17);
    for (let trial = 0; trial < 6; trial++) {
      const vocab = Array.from({ length: 30 }, (_, i) => `t${i}`);
      const rowsR = Array.from({ length: 25 }, () => ({
        query: vocab[g.int(30)]!,
        pos: Array.from({ length: 1 + g.int(3) }, () => vocab[g.int(30)]!),
        neg: Array.from({ length: g.int(3) }, () => vocab[g.int(30)]!),
      }));
      const file = writeJsonl(join(dir, `random${trial}.jsonl`), rowsR);
      const out = join(dir, `random${trial}.out.jsonl`);
      const r = await buildHardNegatives({ model: tableModel({}, 4), inputFile: file, outputFile: out, rangeForSampling: [g.int(3), 5 + g.int(10)], negativeNumber: 1 + g.int(8), samplingStrategy: g.int(2) ? 'top' : 'random', seed: trial });
      const byQuery = new Map<string, Set<string>>();
      rowsR.forEach((row) => row.pos.forEach((p) => (byQuery.get(row.query) ?? byQuery.set(row.query, new Set()).get(row.query)!).add(p)));
      for (const row of readJsonl(out)) {
        const neg = row.neg as string[];
        expect(new Set(neg).size).toBe(neg.length);
        for (const n of neg) {
          expect(byQuery.get(row.query as string)!.has(n)).toBe(false);
          expect(n).not.toBe(row.query);
        }
      }
      expect(r.rows).toBe(25);
    }
  });
});

describe('bad input fails before any encoding, naming file, line and field', () => {
  const dir = tmp();
  const bad = async (lines: string, expected: RegExp | string, o: Partial<BuildHardNegativesOptions> = {}) => {
    const file = join(dir, `in-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, lines);
    const model = tableModel();
    await expect(buildHardNegatives({ model, inputFile: file, outputFile: join(dir, 'out.jsonl'), ...o })).rejects.toThrow(expected);
    expect(model.calls).toBe(0);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  };

  it('a missing key, a wrong type, an empty text, bad JSON, an empty file', async () => {
    await bad('{"query": "a", "pos": ["b"]}\n{"question": "a", "pos": "b"}\n', /in-\w+\.jsonl:2: field 'query' is missing; the record has 'question', 'pos'/);
    await bad('{"query": "a", "pos": 3}\n', /:1: field 'pos' must be a string or an array of strings, got number 3/);
    await bad('{"query": "a", "pos": ["b", ""]}\n', /:1: field 'pos' entry 1 must be a non-empty text/);
    await bad('{"query": "a", "pos": ["b"], "neg": [1]}\n', /:1: field 'neg' must be a string or an array of strings/);
    await bad('{"query": "a", "pos": []}\n', /:1: field 'pos' must hold at least 1 text, got 0/);
    await bad('\n{"query": "a", "pos": "b"}\n{"query": "a", "pos": \n', /:3: not valid JSON/);
    await bad('\n\n', /no rows \(the file is empty or blank\)/);
    await bad('{"q": "a", "p": "b"}\n', /:1: field 'question' is missing/, { queryKey: 'question', positiveKey: 'p' });
    const pool = join(dir, 'pool.jsonl');
    writeFileSync(pool, '{"text": "x"}\n{"title": "t"}\n');
    await bad('{"query": "a", "pos": "b"}\n', `${pool}:2: field 'text' is missing`, { candidatePool: pool });
    writeFileSync(pool, '{"id": 1, "text": "x"}\n{"id": 1, "text": "y"}\n');
    await bad('{"query": "a", "pos": "b"}\n', `${pool}:2: field 'id' repeats id '1' of line 1`, { candidatePool: pool });
  });

  it('refuses to overwrite the input, and checks options by name and value', async () => {
    const input = writeJsonl(join(dir, 'same.jsonl'), [{ query: 'a', pos: 'b' }]);
    const model = tableModel();
    await expect(buildHardNegatives({ model, inputFile: input, outputFile: input })).rejects.toThrow(new MiningError(`build-hn: outputFile ${input} is the inputFile; writing it would destroy it, choose another path`));
    expect(JSON.parse(readFileSync(input, 'utf8'))).toEqual({ query: 'a', pos: 'b' });
    await expect(buildHardNegatives({ model, inputFile: input, outputFile: join(dir, 'o.jsonl'), rangeForSampling: [5, 2] })).rejects.toThrow(OptionError);
    await expect(buildHardNegatives({ model, inputFile: input, outputFile: join(dir, 'o.jsonl'), negativeNumbr: 3 } as never)).rejects.toThrow(/unknown option 'negativeNumbr'/);
    await expect(buildHardNegatives({ model, inputFile: input, outputFile: join(dir, 'no/such/dir/o.jsonl') })).rejects.toThrow(/o\.jsonl/);
    await expect(buildHardNegatives({ model, inputFile: join(dir, 'missing.jsonl'), outputFile: join(dir, 'o.jsonl') })).rejects.toThrow(DataError);
    expect(model.calls).toBe(0);
  });

  it('checkMiningPaths: no file the run writes is a file it reads or another it writes; the caches may be re-read', async () => {
    const p = (name: string) => join(dir, name);
    const base = { inputFile: p('in.jsonl'), outputFile: p('out.jsonl') };
    expect(() => checkMiningPaths({ ...base, candidatePool: p('pool.jsonl'), indexFile: p('corpus.index'), queryEmbeddingsFile: p('q.safetensors') })).not.toThrow();
    const clash = (o: Partial<MiningPaths>, message: string) => expect(() => checkMiningPaths({ ...base, ...o })).toThrow(new MiningError(message));
    clash({ outputFile: p('in.jsonl') }, `build-hn: outputFile ${p('in.jsonl')} is the inputFile; writing it would destroy it, choose another path`);
    clash({ candidatePool: p('pool.jsonl'), indexFile: p('pool.jsonl') }, `build-hn: indexFile ${p('pool.jsonl')} is the candidatePool; writing it would destroy it, choose another path`);
    clash({ indexFile: p('./in.jsonl') }, `build-hn: indexFile ${p('./in.jsonl')} is the inputFile; writing it would destroy it, choose another path`);
    clash({ queryEmbeddingsFile: p('in.jsonl') }, `build-hn: queryEmbeddingsFile ${p('in.jsonl')} is the inputFile; writing it would destroy it, choose another path`);
    clash({ candidatePool: p('pool.jsonl'), queryEmbeddingsFile: p('pool.jsonl') }, `build-hn: queryEmbeddingsFile ${p('pool.jsonl')} is the candidatePool; writing it would destroy it, choose another path`);
    clash({ queryEmbeddingsFile: p('out.jsonl') }, `build-hn: outputFile ${p('out.jsonl')} is the queryEmbeddingsFile; writing it would destroy it, choose another path`);
    clash({ indexFile: p('x'), queryEmbeddingsFile: p('x') }, `build-hn: indexFile ${p('x')} is the queryEmbeddingsFile; writing it would destroy it, choose another path`);
    clash({ corpusShards: [p('s0'), p('out.jsonl')] }, `build-hn: outputFile ${p('out.jsonl')} is the corpusShards[1]; writing it would destroy it, choose another path`);
    clash({ shardHits: [p('h0')], queryEmbeddingsFile: p('h0') }, `build-hn: queryEmbeddingsFile ${p('h0')} is the shardHits[0]; writing it would destroy it, choose another path`);
    // buildHardNegatives runs the same check before reading anything: the pool is left as it was.
    const input = writeJsonl(p('paths-in.jsonl'), [{ query: 'a', pos: 'b' }]);
    const pool = writeJsonl(p('paths-pool.jsonl'), [{ text: 'b' }, { text: 'c' }]);
    const model = tableModel();
    await expect(buildHardNegatives({ model, inputFile: input, candidatePool: pool, outputFile: p('o.jsonl'), indexFile: pool })).rejects.toThrow(/indexFile .* is the candidatePool/);
    await expect(buildHardNegatives({ model, inputFile: input, outputFile: p('o.jsonl'), queryEmbeddingsFile: input })).rejects.toThrow(/queryEmbeddingsFile .* is the inputFile/);
    expect(readFileSync(pool, 'utf8')).toBe('{"text":"b"}\n{"text":"c"}\n');
    expect(model.calls).toBe(0);
  });

  it('refuses options naming one field twice (the output would overwrite one with the other)', async () => {
    const input = writeJsonl(join(dir, 'keys.jsonl'), [{ query: 'a', pos: 'b' }]);
    const model = tableModel();
    const o = { model, inputFile: input, outputFile: join(dir, 'keys-out.jsonl') };
    await expect(buildHardNegatives({ ...o, negativeKey: 'pos' })).rejects.toThrow(new MiningError("build-hn: positiveKey and negativeKey are both 'pos'; give each its own field name"));
    await expect(buildHardNegatives({ ...o, queryKey: 'q', positiveKey: 'q' })).rejects.toThrow(/queryKey and positiveKey are both 'q'/);
    await expect(buildHardNegatives({ ...o, negativeScoresKey: 'neg' })).rejects.toThrow(/negativeKey and negativeScoresKey are both 'neg'/);
    await expect(buildHardNegatives({ ...o, positiveScoresKey: 'scores', negativeScoresKey: 'scores' })).rejects.toThrow(/positiveScoresKey and negativeScoresKey are both 'scores'/);
    expect(model.calls).toBe(0);
    expect(existsSync(join(dir, 'keys-out.jsonl'))).toBe(false);
  });
});

describe('end to end with the bert-tiny fixture', () => {
  let model: AutoModelForEmbedding;
  const dir = tmp();
  const words = 'fox dog cat bird fish tree river stone cloud rain sun moon star road house car boat train city field'.split(' ');
  const gen = new Generator(1);
  const sentence = (n: number) => Array.from({ length: n }, () => words[gen.int(words.length)]).join(' ');
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, query: `q ${sentence(4)}`, pos: [sentence(8)], neg: [sentence(7)] }));
  const input = writeJsonl(join(dir, 'train.jsonl'), rows);
  const pool = writeJsonl(join(dir, 'pool.jsonl'), [
    ...rows.map((r, i) => (i % 2 ? { text: r.pos[0] } : { title: 'titled', text: r.pos[0] })),
    ...Array.from({ length: 60 }, (_, i) => (i % 3 ? { text: sentence(6) } : { title: sentence(2), text: sentence(6) })),
  ]);
  beforeAll(async () => {
    model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean' });
  });
  afterAll(async () => model.dispose());

  it('mines, saves the corpus index, reuses it on the next run (same bytes out), and rebuilds it for another model setting', async () => {
    const indexFile = join(dir, 'corpus.index');
    const logs: string[] = [];
    const o = { model, inputFile: input, rangeForSampling: [2, 30] as [number, number], negativeNumber: 5, indexFile, log: (l: string) => logs.push(l) };
    const first = await buildHardNegatives({ ...o, outputFile: join(dir, 'a.jsonl') });
    expect(first.index).toMatchObject({ name: 'flat', reused: false, file: indexFile });
    expect(first.short.rows).toBe(0);
    const second = await buildHardNegatives({ ...o, outputFile: join(dir, 'b.jsonl') });
    expect(second.index.reused).toBe(true);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'a.jsonl'), 'utf8'));
    const third = await buildHardNegatives({ ...o, outputFile: join(dir, 'c.jsonl'), documentInstruction: 'passage: ' });
    expect(third.index.reused).toBe(false);
    expect(logs.some((l) => /was built from another model, instruction or normalisation/.test(l))).toBe(true);
    for (const row of readJsonl(join(dir, 'a.jsonl'))) {
      expect(row.neg as string[]).toHaveLength(5);
      expect(row.neg).not.toContain((row.pos as string[])[0]);
      expect(row.id).toBeTypeOf('number');
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a candidate pool with {title, text}: negatives as embedded (title text), a titled copy of a positive is still the positive', async () => {
    const report = await buildHardNegatives({ model, inputFile: input, candidatePool: pool, outputFile: join(dir, 'pool-out.jsonl'), rangeForSampling: [0, 40], negativeNumber: 8, index: 'flat-int8' });
    expect(report.corpusSize).toBe(90);
    const out = readJsonl(join(dir, 'pool-out.jsonl'));
    out.forEach((row, i) => {
      const pos = rows[i]!.pos[0]!;
      for (const n of row.neg as string[]) expect(n === pos || n === `titled ${pos}`).toBe(false);
    });
    expect(out.some((row) => (row.neg as string[]).some((n) => n.startsWith('titled ')))).toBe(true);
    expect(report.removed.positives).toBeGreaterThan(0);
  });

  it('progress callbacks see every stage', async () => {
    const stages = new Set<string>();
    await buildHardNegatives({ model, inputFile: input, outputFile: join(dir, 'p.jsonl'), negativeNumber: 2, rangeForSampling: [1, 10], index: { name: 'usearch', connectivity: 8 }, showProgress: (p) => stages.add(p.stage) });
    expect([...stages].sort()).toEqual(['encode-corpus', 'encode-queries', 'read', 'search', 'write']);
  });
});
