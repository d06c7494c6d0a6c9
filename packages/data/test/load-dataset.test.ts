import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptionError } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { DataError, DatasetReader, formats, inferFormat, loadDataset } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'load-dataset-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('inferFormat', () => {
  it('names the format from the record keys, in the documented order', () => {
    const cases: [Record<string, unknown>, string, Record<string, string>][] = [
      [{ query: 'q', docs: [], scores: [] }, 'listwise', {}],
      [{ query: 'q', pos: [], neg: [], pos_scores: [], neg_scores: [] }, 'teacher-scored', {}],
      [{ query: 'q', pos: [], neg: [], prompt: 'p' }, 'triplet', {}],
      [{ query: 'q', positive: 'p' }, 'pair', {}],
      [{ anchor: 'a', positive: 'p', negative: 'n' }, 'triplet', { queryKey: 'anchor' }],
      [{ text1: 'a', text2: 'b', score: 1 }, 'scored-pair', {}],
      [{ sentence1: 'a', sentence2: 'b', score: '1' }, 'scored-pair', { text1Key: 'sentence1', text2Key: 'sentence2' }],
      [{ sentence1: 'a', sentence2: 'b' }, 'pair', { queryKey: 'sentence1', positiveKey: 'sentence2' }],
      [{ text: 't', label: 1 }, 'point', {}],
    ];
    for (const [record, name, options] of cases) expect(inferFormat(record, 'f:1')).toEqual({ name, options });
    expect(() => inferFormat({ question: 'q', answer: 'a' }, 'f:3')).toThrow("f:3: cannot tell the example format from the keys 'question', 'answer'");
  });
});

describe('loadDataset', () => {
  it('loads JSONL groups into typed examples with the format, ready for the trainer', async () => {
    const p = file('groups.jsonl', jsonl({ query: 'q1', pos: ['p1'], neg: ['n1', 'n2'] }, { query: 'q2', pos: 'p2', neg: 'n3' }));
    const d = await loadDataset(p);
    expect(d.examples).toEqual([
      { query: 'q1', positive: ['p1'], negative: ['n1', 'n2'] },
      { query: 'q2', positive: ['p2'], negative: ['n3'] },
    ]);
    expect([d.format.name, d.format.fields, d.files, d.skipped]).toEqual(['triplet', ['query', 'positive', 'negative'], [p], 0]);
    expect(d.summary()).toBe(`${p}: 2 examples, format 'triplet' (inferred from the keys at ${p}:1), from 1 file; no bad rows`);
  });

  it('takes a format by name with its key options, or a made format', async () => {
    const p = file('qa.jsonl', jsonl({ question: 'q', answer: 'a' }));
    expect((await loadDataset(p, { format: 'pair', queryKey: 'question', positiveKey: 'answer' })).examples).toEqual([{ query: 'q', positive: 'a' }]);
    const made = formats.create({ name: 'pair', queryKey: 'question', positiveKey: 'answer' });
    expect((await loadDataset(p, { format: made })).format).toBe(made);
    await expect(loadDataset(p, { format: made, queryKey: 'x' })).rejects.toThrow("format options queryKey given with a ready-made format 'pair'");
    await expect(loadDataset(p, { format: 'pair', answerKey: 'x' })).rejects.toBeInstanceOf(OptionError);
    await expect(loadDataset(p)).rejects.toThrow(`${p}:1: cannot tell the example format from the keys 'question', 'answer'`);
  });

  it("fails on the first bad row naming file, line and field, or skips and counts with onBadRow 'skip'", async () => {
    const p = file('bad.jsonl', jsonl({ query: 'q', positive: 'p' }, '{"query": "q2", ', { query: 'q3' }, { query: 4, positive: 'p' }, { query: '  ', positive: 'p' }, { query: 'q6', positive: 'p6' }));
    await expect(loadDataset(p)).rejects.toThrow(new RegExp(`^${p.replace(/[.]/g, '\\.')}:2: not valid JSON.*\\(onBadRow: 'skip' skips bad rows\\)$`));
    await expect(loadDataset(p)).rejects.toBeInstanceOf(DataError);
    const d = await loadDataset(p, { onBadRow: 'skip' });
    expect(d.examples.map((e) => e.query)).toEqual(['q', 'q6']);
    expect(d.skipped).toBe(4);
    expect(d.badRows.map((b) => [b.line, b.message.slice(p.length)])).toEqual([
      [2, expect.stringMatching(/^:2: not valid JSON/)],
      [3, ":3: field 'positive' is missing (also looked for 'pos'); the record has 'query' (format 'pair')"],
      [4, ":4: field 'query' must be a string, got number 4 (format 'pair')"],
      [5, `:5: field 'query' must be a non-empty text, got "  " (format 'pair')`],
    ]);
    expect(d.summary()).toContain(`from 1 file; skipped 4 bad rows:\n  ${p}:2: not valid JSON`);
    await expect(loadDataset(p, { onBadRow: 'ignore' as never })).rejects.toThrow("option 'onBadRow' must be 'fail' or 'skip', got \"ignore\"");
  });

  it('names the record key of an empty text inside a list', async () => {
    const p = file('empty-neg.jsonl', jsonl({ query: 'q', pos: ['p'], neg: ['n', ''] }));
    await expect(loadDataset(p)).rejects.toThrow(`${p}:1: field 'neg' entry 1 must be a non-empty text, got "" (format 'triplet')`);
  });

  it('reads CSV with columns into scored pairs, the score a number; a non-number score is a bad row', async () => {
    const p = file('sts.csv', 'a cat,"a cat, sitting",4.5\nx,y,n/a\n"q ""1""",r,0\n');
    const d = await loadDataset(p, { columns: ['sentence1', 'sentence2', 'score'], onBadRow: 'skip' });
    expect(d.examples).toEqual([
      { text1: 'a cat', text2: 'a cat, sitting', score: 4.5 },
      { text1: 'q "1"', text2: 'r', score: 0 },
    ]);
    expect(d.badRows.map((b) => b.message)).toEqual([`${p}:2: field 'score' must be a number, got "n/a" (format 'scored-pair')`]);
    const tsv = file('pairs.tsv', 'query\tpositive\nq\tp\n');
    expect((await loadDataset(tsv)).examples).toEqual([{ query: 'q', positive: 'p' }]);
  });

  it('reads JSON arrays and folders of mixed files in name order, one format for all', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), JSON.stringify([{ query: 'b1', positive: 'p' }]));
    writeFileSync(join(dir, 'a.jsonl'), jsonl({ query: 'a1', positive: 'p' }, { query: 'a2', positive: 'p' }));
    writeFileSync(join(dir, 'c.csv'), 'query,positive\nc1,p\n');
    writeFileSync(join(dir, 'README.md'), '# not data');
    const d = await loadDataset(dir);
    expect(d.examples.map((e) => e.query)).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(d.files.map((f) => f.slice(dir.length + 1))).toEqual(['a.jsonl', 'b.json', 'c.csv']);
    expect(d.summary()).toBe(`${dir}: 4 examples, format 'pair' (inferred from the keys at ${join(dir, 'a.jsonl')}:1), from 3 files; no bad rows`);
    const empty = join(tmp, 'no-data');
    mkdirSync(empty);
    writeFileSync(join(empty, 'LICENSE'), 'x');
    await expect(loadDataset(empty)).rejects.toThrow(`${empty}: a folder with no data files`);
    await expect(loadDataset(file('blank.jsonl', '\n\n'))).rejects.toThrow(/blank\.jsonl: no examples \(1 file\)/);
  });

  it('streams through DatasetReader: examples come before the file is read to its end', async () => {
    const p = file('stream.jsonl', jsonl(...Array.from({ length: 5 }, (_, i) => ({ query: `q${i}`, positive: 'p' })), '{broken'));
    const reader = new DatasetReader(p);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const { example, line } of reader.examples()) seen.push(`${line}:${example.query}`);
      })(),
    ).rejects.toThrow(`${p}:6: not valid JSON`);
    expect(seen).toEqual(['1:q0', '2:q1', '3:q2', '4:q3', '5:q4']);
  });
});
