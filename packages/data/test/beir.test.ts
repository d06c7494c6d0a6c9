import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBeir } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'beir-'));
function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}
const QUERIES = '{"_id": "q1", "text": "what lives in the forest"}\n{"_id": 2, "text": "a query without judgements"}\n';
const CORPUS = '{"_id": "d1", "title": "Fox", "text": "the fox lives in the forest"}\n{"_id": "d2", "title": "", "text": "the duck lives on the lake"}\n';

describe('loadBeir', () => {
  it('reads queries, corpus and qrels (header or not) in the evaluator\'s shape', async () => {
    const dir = folder('ok', { 'queries.jsonl': QUERIES, 'corpus.jsonl': CORPUS, 'qrels.tsv': 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n' });
    const b = await loadBeir(dir);
    expect({ ...b.queries }).toEqual({ q1: 'what lives in the forest', '2': 'a query without judgements' });
    expect({ ...b.corpus }).toEqual({ d1: { title: 'Fox', text: 'the fox lives in the forest' }, d2: 'the duck lives on the lake' });
    expect(JSON.parse(JSON.stringify(b.qrels))).toEqual({ q1: { d1: 2, d2: 0 } });
    const split = folder('split', { 'queries.jsonl': QUERIES, 'corpus.jsonl': CORPUS, 'qrels/dev.tsv': 'q1\td2\t1\n' });
    expect(JSON.parse(JSON.stringify((await loadBeir(split, { split: 'dev' })).qrels))).toEqual({ q1: { d2: 1 } });
    await expect(loadBeir(split)).rejects.toThrow(`${join(split, 'qrels', 'test.tsv')}: cannot read: no such file`);
  });

  it('fails naming file, line and field for a duplicate id, an unknown id, a bad grade, a missing text', async () => {
    const base = { 'queries.jsonl': QUERIES, 'corpus.jsonl': CORPUS };
    const cases: [Record<string, string>, string][] = [
      [{ ...base, 'qrels.tsv': 'q1\td9\t1\n' }, `qrels.tsv:1: field 'corpus-id' "d9" is not a document of`],
      [{ ...base, 'qrels.tsv': 'q1\td1\t1\nq7\td1\t1\n' }, `qrels.tsv:2: field 'query-id' "q7" is not a query of`],
      [{ ...base, 'qrels.tsv': 'q1\td1\thigh\n' }, `qrels.tsv:1: field 'score' must be an integer grade, got "high"`],
      [{ ...base, 'qrels.tsv': 'q1\td1\n' }, `qrels.tsv:1: has 2 fields, expected 3 (query-id, corpus-id, score)`],
      [{ ...base, 'corpus.jsonl': CORPUS + '{"_id": "d1", "text": "again"}\n', 'qrels.tsv': '' }, `corpus.jsonl:3: field '_id' "d1" is already the id of the document at`],
      [{ ...base, 'queries.jsonl': '{"_id": "q1"}\n', 'qrels.tsv': '' }, `queries.jsonl:1: field 'text' must be a string, got nothing (missing)`],
      [{ ...base, 'corpus.jsonl': '{"_id": "d1", "text": " "}\n', 'qrels.tsv': '' }, `corpus.jsonl:1: field 'text' must be a non-empty text, got " "`],
    ];
    for (const [i, [files, message]] of cases.entries()) await expect(loadBeir(folder(`bad${i}`, files))).rejects.toThrow(message);
  });
});
