import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, SafetensorsError, SafetensorsFile, writeSafetensors } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'st-'));

function sample(): string {
  const p = join(tmp, `ok-${Math.random()}.safetensors`);
  writeSafetensors(
    p,
    {
      'b.weight': { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      'a.ids': { dtype: 'int64', shape: [2], data: BigInt64Array.from([7n, -1n]) },
      'c.half': { dtype: 'float16', shape: [1], data: Uint16Array.from([0x3c00]) },
    },
    { format: 'pt' },
  );
  return p;
}

/** A file with the given header JSON and data bytes. */
function raw(header: unknown, data: Uint8Array, lengthOverride?: bigint): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  const p = join(tmp, `raw-${Math.random()}.safetensors`);
  writeFileSync(p, Buffer.concat([len, json, data]));
  return p;
}

describe('safetensors', () => {
  it('round-trips dtypes, shapes, values and metadata, names sorted like Python writes them', () => {
    const p = sample();
    const { tensors, metadata } = readSafetensors(p);
    expect([...tensors.keys()]).toEqual(['a.ids', 'b.weight', 'c.half']);
    expect(tensors.get('b.weight')).toEqual({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(tensors.get('a.ids')!.data).toEqual(BigInt64Array.from([7n, -1n]));
    expect(metadata).toEqual({ format: 'pt' });
    const len = Number(readFileSync(p).readBigUInt64LE(0));
    expect(len % 8).toBe(0);
  });

  it('reads one tensor at a time from an open file', () => {
    const f = SafetensorsFile.open(sample());
    expect(f.read('c.half')).toEqual({ dtype: 'float16', shape: [1], data: Uint16Array.from([0x3c00]) });
    expect(() => f.read('nope')).toThrow(/no tensor named 'nope'/);
    f.close();
  });

  it('reports a truncated file', () => {
    const p = sample();
    const bytes = readFileSync(p);
    const cut = join(tmp, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    expect(() => readSafetensors(cut)).toThrow(SafetensorsError);
    expect(() => readSafetensors(cut)).toThrow(/cut\.safetensors: corrupt safetensors file: .*past the data section .*truncated/);
    writeFileSync(cut, bytes.subarray(0, 5));
    expect(() => readSafetensors(cut)).toThrow(/shorter than the 8-byte header length/);
  });

  it('reports a bad header: length, JSON, dtype, shape/size mismatch', () => {
    expect(() => readSafetensors(raw('{}', new Uint8Array(), 1n << 40n))).toThrow(/header length \d+ exceeds/);
    expect(() => readSafetensors(raw('{"a": ', new Uint8Array()))).toThrow(/header is not valid UTF-8 JSON/);
    expect(() => readSafetensors(raw({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(
      /tensor 'a': dtype "Q4" is not one of/,
    );
    expect(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(
      /tensor 'a': 4 bytes for F32\[2\], expected 8/,
    );
    expect(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(
      /shape \[-1\] is not a list of non-negative integers/,
    );
  });

  it('reports overlapping offsets and holes', () => {
    const overlap = raw(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      new Uint8Array(12),
    );
    expect(() => readSafetensors(overlap)).toThrow(/tensor 'b' \[4, 12\] overlaps the tensor before it/);
    const hole = raw({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8));
    expect(() => readSafetensors(hole)).toThrow(/hole in the data section before tensor 'a'/);
  });

  it('reports a missing file', () => {
    expect(() => readSafetensors(join(tmp, 'none.safetensors'))).toThrow(/none\.safetensors: cannot open safetensors file/);
  });

  it('refuses to write data that does not match the shape', () => {
    expect(() => writeSafetensors(join(tmp, 'x.safetensors'), { a: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /shape \[3\] needs 3 elements, data has 2/,
    );
  });
});
