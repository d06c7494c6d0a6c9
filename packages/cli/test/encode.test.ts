import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { readSafetensors } from '@retrievals/core-tensor';
import { AutoModelForEmbedding } from '@retrievals/models';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/index.js';
import { DEFAULT_TEXTS } from '../src/commands/encode.js';
import { scratch } from './helpers.js';

ensureFixtures();
const dir = scratch('encode');
const bert = fixturePath('bert-tiny');
const run = async (...argv: string[]) => {
  const lines: string[] = [];
  const code = await main(['encode', '--model_name_or_path', bert, '--quiet', ...argv], (l) => lines.push(l));
  return { code, text: lines.join('\n') };
};

/** Parses a .npy v1.0 file as numpy.load would: header dict, then row-major data. */
function readNpy(file: string): { descr: string; shape: number[]; data: Float32Array } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  expect((10 + headerLength) % 64).toBe(0);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const body = bytes.subarray(10 + headerLength);
  return { descr, shape, data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)) };
}

let reference: AutoModelForEmbedding;
beforeAll(async () => {
  reference = await AutoModelForEmbedding.fromPretrained(bert, { poolingMethod: 'mean', normalize: true, queryInstruction: 'query: ' });
});
afterAll(() => reference.dispose());

describe('retrievals encode', () => {
  it('embeds the quickstart sentences when given no texts and prints their similarities', async () => {
    const { code, text } = await run('--pooling_method', 'mean', '--normalize');
    expect(code).toBe(0);
    expect(text).toContain(`encoding the ${DEFAULT_TEXTS.length} example sentences`);
    expect(text).toMatch(/tensor runtime, pooling 'mean', normalised: 3 × 32 float32 embeddings/);
    expect(text.split('\n').filter((l) => /^\s+1\.0000/.test(l))).toHaveLength(1);
  });

  it('writes exactly the embeddings of the library to .npy, with instructions', async () => {
    const input = join(dir, 'q.jsonl');
    writeFileSync(input, '{"text":"what is a tensor"}\n{"text":"how do embeddings work"}\n');
    const output = join(dir, 'q.npy');
    const { code } = await run('--input', input, '--output', output, '--as', 'query', '--pooling_method', 'mean', '--normalize', '--query_instruction', 'query: ');
    expect(code).toBe(0);
    const npy = readNpy(output);
    expect(npy.descr).toBe('<f4');
    expect(npy.shape).toEqual([2, 32]);
    const expected = await reference.encodeQueries(['what is a tensor', 'how do embeddings work']);
    expect(Array.from(npy.data)).toEqual(Array.from(expected.data));
  });

  it('writes one JSON array per line and honours --precision', async () => {
    const output = join(dir, 'e.jsonl');
    expect((await run('--output', output, '--precision', 'int8', 'first text', 'second text')).code).toBe(0);
    const rows = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as number[]);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.length === 32 && r.every((v) => Number.isInteger(v) && v >= -128 && v <= 127))).toBe(true);
  });

  it('writes the matrix as safetensors (tensor "embeddings"), readable by core-tensor', async () => {
    const output = join(dir, 'e.safetensors');
    expect((await run('--output', output, '--pooling_method', 'mean', 'first text', 'second text', 'third')).code).toBe(0);
    const file = readSafetensors(output);
    const stored = file.tensors.get('embeddings')!;
    expect([stored.dtype, stored.shape]).toEqual(['float32', [3, 32]]);
    const expected = await reference.encode(['first text', 'second text', 'third'], { normalize: false });
    expect(Array.from(stored.data as Float32Array)).toEqual(Array.from(expected.data));
  });

  it('rejects bad flags and bad input with messages that name them', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const last = () => String(err.mock.lastCall![0]);
    expect(await main(['encode'])).toBe(2);
    expect(last()).toMatch(/^retrievals: encode: --model_name_or_path is required\nusage: retrievals encode/);
    expect((await run('--batch_size', 'zero')).code).toBe(2);
    expect(last()).toMatch(/^retrievals: encode: option '--batch_size <int>' argument 'zero' is invalid\. expected an integer ≥ 1/);
    expect((await run('--pooling', 'mean')).code).toBe(2);
    expect(last()).toMatch(/^retrievals: encode: unknown option '--pooling'/);
    expect((await run('--precision', 'int4')).code).toBe(2);
    expect(last()).toMatch(/expected one of float32, int8/);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"ok"}\n{"txt":"typo"}\n');
    expect((await run('--input', bad)).code).toBe(2);
    expect(last()).toBe(`retrievals: ${bad}:2: field 'text' is missing`);
    expect((await run('--output', join(dir, 'x.csv'))).code).toBe(2);
    expect(last()).toMatch(/--output must end in .npy, .jsonl, .safetensors/);
    err.mockRestore();
  });
});
