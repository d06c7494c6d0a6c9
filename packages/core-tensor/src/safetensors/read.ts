import { constants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { allocate, type DType, type TypedArray } from '../dtype.js';
import { RetrievalsError, SafetensorsError } from '../errors.js';
import type { TensorInfo } from './format.js';
import { parseHeader } from './header.js';

/** The largest typed array this Node can make (a tensor beyond it would crash the allocation). */
const MAX_TENSOR_BYTES = constants.MAX_LENGTH;

export interface StoredTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/**
 * An open safetensors file. The header is validated on open; each tensor is read straight from disk
 * into its own typed array on demand, so a large checkpoint is never held twice in memory.
 */
export class SafetensorsFile {
  private fd: number | undefined;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  private readonly dataStart: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
    try {
      const size = fstatSync(fd).size;
      const lenBuf = Buffer.alloc(8);
      const got = size >= 8 ? readSync(fd, lenBuf, 0, 8, 0) : 0;
      const headerLen = got === 8 ? lenBuf.readBigUInt64LE(0) : 0n;
      let headerBytes: Uint8Array | undefined;
      if (got === 8 && headerLen <= BigInt(size - 8)) {
        headerBytes = Buffer.alloc(Number(headerLen));
        readSync(fd, headerBytes, 0, headerBytes.length, 8);
      }
      const parsed = parseHeader(path, headerLen, headerBytes, size);
      this.tensors = parsed.tensors;
      this.metadata = parsed.metadata;
      this.dataStart = parsed.dataStart;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  static open(path: string): SafetensorsFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new SafetensorsError(`${path}: cannot open safetensors file: ${(e as Error).message}`, { cause: e });
    }
    return new SafetensorsFile(path, fd);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  read(name: string): StoredTensor {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(`${this.path}: no tensor named '${name}'`);
    if (this.fd === undefined) throw new RetrievalsError(`${this.path}: file is closed`);
    const n = info.shape.reduce((a, b) => a * b, 1);
    const bytes0 = info.end - info.begin;
    if (bytes0 > MAX_TENSOR_BYTES) {
      throw new SafetensorsError(`${this.path}: tensor '${name}' [${info.shape.join(', ')}] is ${(bytes0 / 2 ** 30).toFixed(1)} GiB, more than one array can hold here (${(MAX_TENSOR_BYTES / 2 ** 30).toFixed(0)} GiB)`);
    }
    let data: TypedArray;
    try {
      data = allocate(info.dtype, n);
    } catch (e) {
      throw new SafetensorsError(`${this.path}: tensor '${name}' [${info.shape.join(', ')}] (${(bytes0 / 2 ** 20).toFixed(0)} MiB) cannot be allocated: ${(e as Error).message}`, { cause: e });
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(this.fd, bytes, done, bytes.length - done, this.dataStart + info.begin + done);
      if (got === 0) throw new SafetensorsError(`${this.path}: tensor '${name}' ends early (file truncated while reading)`);
      done += got;
    }
    return { dtype: info.dtype, shape: [...info.shape], data };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads every tensor of a file. */
export function readSafetensors(path: string): { tensors: Map<string, StoredTensor>; metadata: Record<string, string> } {
  const file = SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, StoredTensor>();
    for (const name of file.names()) tensors.set(name, file.read(name));
    return { tensors, metadata: file.metadata };
  } finally {
    file.close();
  }
}
