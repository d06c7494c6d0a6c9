import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, readJsonl, readLines, readTextFile, readTexts } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'retrievals-text-'));
let n = 0;
const file = (bytes: Uint8Array | string, ext = '.txt') => {
  const path = join(dir, `f${n++}${ext}`);
  writeFileSync(path, bytes);
  return path;
};
const lines = async (path: string) => {
  const out: [number, string][] = [];
  for await (const l of readLines(path)) out.push([l.line, l.text]);
  return out;
};
const utf16 = (text: string, be = false) => {
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  if (be) for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
};

describe('the one text decoding rule', () => {
  it('strips a UTF-8 BOM, and splits on \\r\\n, \\n and a lone \\r', async () => {
    expect(await lines(file('\ufeffone\r\ntwo\rthree\nfour'))).toEqual([[1, 'one'], [2, 'two'], [3, 'three'], [4, 'four']]);
    expect(await readTexts(file('\ufefffirst\rsecond\r'))).toEqual(['first', 'second']);
    expect(await readTextFile(file('\ufeff["a",\r"b"]', '.json'))).toBe('["a",\n"b"]');
  });

  it('reads UTF-16 (LE and BE) by its BOM, in every reader', async () => {
    expect(await lines(file(utf16('héllo\r\nwörld')))).toEqual([[1, 'héllo'], [2, 'wörld']]);
    expect(await lines(file(utf16('a\nb', true)))).toEqual([[1, 'a'], [2, 'b']]);
    const rows: unknown[] = [];
    for await (const r of readJsonl(file(utf16('{"text": "ü"}\n{"text": "ß"}'), '.jsonl'))) rows.push(r.record);
    expect(rows).toEqual([{ text: 'ü' }, { text: 'ß' }]);
    expect(await readTexts(file(utf16('["x", {"title": "t", "text": "y"}]'), '.json'))).toEqual(['x', { title: 't', text: 'y' }]);
  });

  it('names the file and line of invalid UTF-8 and of UTF-16 without a BOM, never U+FFFD', async () => {
    const bad = file(Buffer.concat([Buffer.from('fine\nalso fine\nbro'), Buffer.from([0xc3, 0x28]), Buffer.from('ken\n')]));
    await expect(lines(bad)).rejects.toThrow(DataError);
    await expect(lines(bad)).rejects.toThrow(/f\d+\.txt:3: not valid UTF-8 \(byte 5 of the line\)/);
    await expect(readTexts(bad)).rejects.toThrow(/:3: not valid UTF-8/);
    const noBom = file(Buffer.from('hello\nworld', 'utf16le'), '.jsonl');
    await expect(lines(noBom)).rejects.toThrow(/:1: holds NUL bytes, as UTF-16 text without a byte-order mark does/);
  });

  it('keeps line numbers across stream chunks and \\r\\n split between chunks', async () => {
    const many = Array.from({ length: 20000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const got = await lines(file(many.join('\r\n')));
    expect(got.length).toBe(20000);
    expect(got[12345]).toEqual([12346, many[12345]]);
  });

  it('refuses a folder or a missing file with its path', async () => {
    mkdirSync(join(dir, 'sub.txt'));
    await expect(lines(join(dir, 'sub.txt'))).rejects.toThrow(/sub\.txt: cannot read: it is a folder/);
    await expect(readTexts(join(dir, 'nope.txt'))).rejects.toThrow(/nope\.txt: cannot read: no such file/);
  });
});
