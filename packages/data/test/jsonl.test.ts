import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, readJsonl } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'jsonl-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const collect = async (p: string) => {
  const out = [];
  for await (const r of readJsonl(p)) out.push(r);
  return out;
};

describe('readJsonl', () => {
  it('streams records with their line numbers, skipping blank lines and CRLF', async () => {
    const p = file('ok.jsonl', '{"query":"a","positive":["b"]}\r\n\n{"query":"c"}\n');
    expect(await collect(p)).toEqual([
      { record: { query: 'a', positive: ['b'] }, line: 1 },
      { record: { query: 'c' }, line: 3 },
    ]);
  });
  it('names the file and line of bad JSON', async () => {
    const p = file('bad.jsonl', '{"query":"a"}\n{"query": }\n');
    await expect(collect(p)).rejects.toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON`));
  });
  it('rejects a line that is not an object', async () => {
    await expect(collect(file('arr.jsonl', '[1,2]\n'))).rejects.toThrow(/arr\.jsonl:1: expected a JSON object per line, got an array/);
  });
  it('reports a missing file as a DataError', async () => {
    await expect(collect(join(tmp, 'missing.jsonl'))).rejects.toBeInstanceOf(DataError);
  });
});
