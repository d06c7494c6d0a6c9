import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFiles, DataError, readRecords, type RecordItem } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'readers-'));
const file = (name: string, text: string | Uint8Array) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const read = async (p: string, o = {}) => {
  const out: RecordItem[] = [];
  for await (const r of readRecords(p, o)) out.push(r);
  return out;
};
const rows = (items: RecordItem[]) => items.map((i) => (i.error ? { line: i.line, error: i.error.message } : { line: i.line, record: i.record }));

describe('CSV / TSV (RFC 4180)', () => {
  it('reads a header row, quoted fields with doubled quotes, delimiters and newlines inside quotes, CRLF and a BOM', async () => {
    const p = file('ok.csv', '\ufeffquery,positive\r\n"a, b","say ""hi"""\r\n"two\r\nlines",x\r\n\r\nplain "quote",y\r\n');
    expect(rows(await read(p))).toEqual([
      { line: 2, record: { query: 'a, b', positive: 'say "hi"' } },
      { line: 3, record: { query: 'two\nlines', positive: 'x' } },
      { line: 6, record: { query: 'plain "quote"', positive: 'y' } },
    ]);
  });

  it('takes columns for a file without a header, or renames a header with header: true', async () => {
    const p = file('nohead.tsv', 'a\tb\t1.5\nc\t"d\te"\t2\n');
    expect(rows(await read(p, { columns: ['s1', 's2', 'score'] }))).toEqual([
      { line: 1, record: { s1: 'a', s2: 'b', score: '1.5' } },
      { line: 2, record: { s1: 'c', s2: 'd\te', score: '2' } },
    ]);
    expect(rows(await read(p, { columns: ['x', 'y', 'z'], header: true }))).toEqual([{ line: 2, record: { x: 'c', y: 'd\te', z: '2' } }]);
  });

  it('a bad record costs only itself: a wrong field count, text after a closing quote, an unclosed quote', async () => {
    const p = file('bad.csv', 'a,b,c\n1,2\nbad,"x"y,3\nok,ok,ok\nu,"never closed,3\nafter,the,quote\n');
    expect(rows(await read(p))).toEqual([
      { line: 2, error: `${p}:2: has 2 fields, expected 3 (a, b, c)` },
      { line: 3, error: `${p}:3: column 2 ('b'): a quoted field must end at ',' or the end of the line, got 'y' after its closing quote (double a quote inside quotes)` },
      { line: 4, record: { a: 'ok', b: 'ok', c: 'ok' } },
      { line: 5, error: `${p}:5: column 2 ('b'): a quoted field opened here is never closed (a quote inside a quoted field must be doubled)` },
      { line: 6, record: { a: 'after', b: 'the', c: 'quote' } },
    ]);
  });

  it('refuses a header with an empty or repeated name, and an empty file', async () => {
    await expect(read(file('dup.csv', 'a,a\n1,2\n'))).rejects.toThrow(/dup\.csv:1: header: column 'a' is named twice/);
    await expect(read(file('empty-name.csv', 'a,\n1,2\n'))).rejects.toThrow(/empty-name\.csv:1: header: column 2 has no name/);
    await expect(read(file('empty.csv', ''))).rejects.toThrow(/empty\.csv: empty; expected a header row/);
  });

  it('decodes by the one text rule: invalid UTF-8 fails naming file and line', async () => {
    const p = file('latin1.csv', Buffer.concat([Buffer.from('a,b\nok,fine\ncaf'), Buffer.from([0xe9]), Buffer.from(',x\n')]));
    await expect(read(p)).rejects.toThrow(`${p}:3: not valid UTF-8`);
  });
});

describe('JSON arrays', () => {
  it('gives each element the line it starts on; a bad element is one bad row', async () => {
    const p = file('arr.json', '[\n  {"query": "a", "positive": "b"},\n  {"query": "x,]", "n": [1, {"k": "}"}]},\n  [1, 2],\n  {"query": }\n]\n');
    expect(rows(await read(p))).toEqual([
      { line: 2, record: { query: 'a', positive: 'b' } },
      { line: 3, record: { query: 'x,]', n: [1, { k: '}' }] } },
      { line: 4, error: `${p}:4: expected a JSON object per array element, got an array` },
      { line: 5, error: expect.stringMatching(new RegExp(`^${p.replace(/[.]/g, '\\.')}:5: not valid JSON`)) },
    ]);
  });

  it('fails for a file that is not one array', async () => {
    await expect(read(file('obj.json', '{"query": "a"}'))).rejects.toThrow(/obj\.json:1: expected a JSON array of objects, got '\{'/);
    await expect(read(file('open.json', '[{"a": 1},\n{"b": 2}'))).rejects.toThrow(/open\.json:2: the JSON array opened on line 1 is never closed/);
    await expect(read(file('trail.json', '[{"a": 1}]\n[]'))).rejects.toThrow(/trail\.json:2: text after the end of the JSON array/);
    expect(rows(await read(file('none.json', ' [ ] ')))).toEqual([]);
  });
});

describe('JSONL records and folders', () => {
  it('streams JSONL with bad lines as bad rows, not failures', async () => {
    const p = file('mixed.jsonl', '{"query":"a"}\n\n{"query": \n"str"\n');
    expect(rows(await read(p))).toEqual([
      { line: 1, record: { query: 'a' } },
      { line: 3, error: expect.stringContaining(`${p}:3: not valid JSON`) },
      { line: 4, error: `${p}:4: expected a JSON object per line, got string` },
    ]);
  });

  it('lists a folder\'s data files sorted by name, ignoring others; refuses an unknown extension', async () => {
    const dir = join(tmp, 'folder');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const n of ['b.jsonl', 'a.csv', 'C.tsv', 'LICENSE', 'notes.txt', '.hidden.jsonl', 'sub/z.jsonl']) writeFileSync(join(dir, n), '');
    expect((await dataFiles(dir)).map((f) => f.slice(dir.length + 1))).toEqual(['C.tsv', 'a.csv', 'b.jsonl']);
    await expect(dataFiles(join(dir, 'sub', 'nothing'))).rejects.toThrow(/no such file or folder/);
    await expect(read(join(dir, 'notes.txt'))).rejects.toThrow(/cannot tell the file type from the extension '\.txt'/);
    await expect(read(join(dir, 'notes.txt'), { fileType: 'jsonl' })).resolves.toEqual([]);
    await expect(read(join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(DataError);
  });
});
