import { closeSync, openSync } from 'node:fs';
import { bytesPerElement, SafetensorsFile, type DType, type TensorInfo, type TensorToWrite } from '@retrievals/core-tensor';
import { IndexError } from './errors.js';
import { readFully } from './read-fully.js';
import { FileRows, MemoryRows, type RowArray } from './rows.js';

/**
 * Every saved index and every embedding shard is one safetensors file: the vectors as tensors
 * (`embeddings` F32 [n, dim], `int8` I8 [n, dim] + `int8_scale`, `binary` U8 [n, ⌈dim/8⌉], or an
 * ANN library's own bytes as `native` U8), and in `__metadata__` what the file is
 * (`format: retrievals-index`, `kind`, `dim`, `rows`), its ids, and whatever its writer records
 * (fingerprints, shard range); written by core-tensor's writeSafetensors (atomic, streamed). numpy/torch read the vectors with `safetensors.safe_open`.
 */
export const INDEX_FORMAT = 'retrievals-index';

export const bytesOf = (a: RowArray | Int32Array | Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A tensor whose data is already in memory. */
export function inMemory(dtype: DType, shape: readonly number[], data: RowArray | Int32Array): TensorToWrite {
  return { dtype, shape, data };
}

/** An opened index or shard file: header validated, tensors not read until asked for. */
export class TensorFile {
  private constructor(
    readonly path: string,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly dataStart: number,
  ) {}

  /** Opens and validates (core-tensor's safetensors header checks: offsets, sizes, truncation). */
  static open(path: string): TensorFile {
    let st: SafetensorsFile;
    try {
      st = SafetensorsFile.open(path);
    } catch (e) {
      throw new IndexError(`${path}: not a readable index file: ${(e as Error).message.replace(`${path}: `, '')}`, { cause: e });
    }
    const tensors = st.tensors, metadata = st.metadata;
    st.close();
    const fd = openSync(path, 'r');
    const len = Buffer.alloc(8);
    try {
      if (readFully(fd, len, 0) < 8) throw new IndexError(`${path}: shorter than a safetensors header`);
    } finally {
      closeSync(fd);
    }
    return new TensorFile(path, tensors, metadata, 8 + Number(len.readBigUInt64LE(0)));
  }

  /** Fails unless this is an index file (of `kind`, when given). */
  expectIndex(kind?: string | readonly string[]): this {
    const m = this.metadata;
    if (m.format !== INDEX_FORMAT) throw new IndexError(`${this.path}: not a retrievals index file (no __metadata__.format '${INDEX_FORMAT}')`);
    const kinds = kind === undefined ? undefined : typeof kind === 'string' ? [kind] : kind;
    if (kinds && !kinds.includes(m.kind ?? '')) throw new IndexError(`${this.path}: holds a '${m.kind}' index, expected ${kinds.map((k) => `'${k}'`).join(' or ')}`);
    return this;
  }

  int(key: string): number {
    const v = Number(this.metadata[key]);
    if (this.metadata[key] === undefined || !Number.isSafeInteger(v) || v < 0) throw new IndexError(`${this.path}: metadata '${key}' must be a non-negative integer, got ${JSON.stringify(this.metadata[key])}`);
    return v;
  }

  tensor(name: string, dtype: DType, shape: readonly number[]): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new IndexError(`${this.path}: no tensor '${name}' (has ${[...this.tensors.keys()].join(', ') || 'none'})`);
    if (t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new IndexError(`${this.path}: tensor '${name}' is ${t.dtype}[${t.shape.join(', ')}], expected ${dtype}[${shape.join(', ')}]`);
    }
    return t;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** A tensor's rows, read into memory or left in the file and read block by block. */
  rows<T extends RowArray>(name: string, ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }, dtype: DType, count: number, width: number, storage: 'memory' | 'file'): MemoryRows<T> | FileRows<T> {
    // A 1-D tensor [count] is rows of width 1 (per-row scales).
    const t = this.tensor(name, dtype, width === 1 && this.tensors.get(name)?.shape.length === 1 ? [count] : [count, width]);
    const file = new FileRows(this.path, ctor, width, count, this.dataStart + t.begin);
    if (storage === 'file') return file;
    try {
      return new MemoryRows(ctor, width, count ? file.block(0, count).slice() as T : new ctor(0));
    } finally {
      file.close();
    }
  }

  /** A whole (small) tensor. */
  read<T extends RowArray | Int32Array>(name: string, ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }, dtype: DType, shape: readonly number[]): T {
    const t = this.tensor(name, dtype, shape);
    const out = new ctor(shape.reduce((a, b) => a * b, 1));
    const fd = openSync(this.path, 'r');
    try {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      if (readFully(fd, bytes, this.dataStart + t.begin) < bytes.length) throw new IndexError(`${this.path}: tensor '${name}' ends early`);
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** The ids the metadata records: a JSON list, or consecutive integers from `ids_from` (see idsMetadata). */
  ids(count: number): string[] {
    const m = this.metadata;
    if (m.ids_from !== undefined) {
      const from = this.int('ids_from');
      return Array.from({ length: count }, (_, i) => String(from + i));
    }
    let ids: unknown;
    try {
      ids = JSON.parse(m.ids ?? 'null');
    } catch (e) {
      throw new IndexError(`${this.path}: metadata 'ids' is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(ids) || ids.length !== count || ids.some((x) => typeof x !== 'string')) {
      throw new IndexError(`${this.path}: metadata 'ids' must be a list of ${count} strings`);
    }
    return ids as string[];
  }
}

/** ids as metadata: `ids_from` when they are consecutive integers (row numbers), else the JSON list. */
export function idsMetadata(ids: readonly string[]): Record<string, string> {
  const from = ids.length ? Number(ids[0]) : 0;
  const consecutive = Number.isSafeInteger(from) && from >= 0 && ids.every((id, i) => id === String(from + i));
  return consecutive ? { ids_from: String(from) } : { ids: JSON.stringify(ids) };
}
