import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTexts } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'texts-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readTexts', () => {
  it('reads one text per non-blank line of a .txt file, CRLF included', async () => {
    expect(await readTexts(file('a.txt', 'first\r\n\nsecond  \nthird'))).toEqual(['first', 'second  ', 'third']);
  });

  it('reads the text field of a .jsonl file and keeps a title', async () => {
    const f = file('a.jsonl', '{"text":"one"}\n\n{"title":"T","text":"two"}\n{"body":"three","id":3}\n');
    expect(await readTexts(f, { field: 'text' }).catch((e: Error) => e.message)).toBe(`${f}:4: field 'text' is missing`);
    expect(await readTexts(file('b.jsonl', '{"text":"one"}\n{"title":"T","text":"two"}\n'))).toEqual(['one', { title: 'T', text: 'two' }]);
    expect(await readTexts(file('c.jsonl', '{"body":"x"}\n'), { field: 'body' })).toEqual(['x']);
  });

  it('reads a .json array of strings and documents', async () => {
    expect(await readTexts(file('a.json', '["x", {"text": "y", "title": "t"}]'))).toEqual(['x', { title: 't', text: 'y' }]);
  });

  it('names the file, line and field of bad input', async () => {
    const wrongType = file('d.jsonl', '{"text":"ok"}\n{"text": 5}\n');
    await expect(readTexts(wrongType)).rejects.toThrow(`${wrongType}:2: field 'text' is a number, not a string`);
    const badTitle = file('e.jsonl', '{"text":"ok","title":[1]}\n');
    await expect(readTexts(badTitle)).rejects.toThrow(`${badTitle}:1: field 'title' is an array, not a string`);
    const notJson = file('f.jsonl', '{"text":"ok"}\n{oops\n');
    await expect(readTexts(notJson)).rejects.toThrow(`${notJson}:2: not valid JSON`);
    const notArray = file('g.json', '{"text":"x"}');
    await expect(readTexts(notArray)).rejects.toThrow(`${notArray}: expected a JSON array of texts`);
    await expect(readTexts(file('h.csv', 'a,b'))).rejects.toThrow(/unsupported text file type '.csv'/);
    await expect(readTexts(join(dir, 'missing.txt'))).rejects.toThrow(/missing.txt: cannot read/);
  });
});
