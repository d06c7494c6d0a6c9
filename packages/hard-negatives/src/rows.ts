import { closeSync, openSync } from 'node:fs';
import { IndexError } from './errors.js';
import { readFully } from './read-fully.js';

export type RowArray = Float32Array | Int8Array | Uint8Array;
type RowCtor<T extends RowArray> = { new (n: number): T; BYTES_PER_ELEMENT: number };

/**
 * Fixed-width rows of one typed array kind, held in memory or read from a file block by block, so
 * an index can scan a corpus that does not fit in memory.
 */
export interface RowStore<T extends RowArray> {
  readonly count: number;
  /** Elements per row. */
  readonly width: number;
  /** Rows [r0, r1): a view (memory) or a buffer reused by the next call (file). */
  block(r0: number, r1: number): T;
  /** The given rows, in the order given, as a new array. */
  gather(rows: ArrayLike<number>): T;
  close(): void;
}

export class MemoryRows<T extends RowArray> implements RowStore<T> {
  private buf: T;
  count = 0;

  constructor(
    private readonly ctor: RowCtor<T>,
    readonly width: number,
    initial?: T,
  ) {
    this.buf = initial ?? new ctor(width * 16);
    if (initial) this.count = initial.length / width;
  }

  /** Makes room for `rows` rows in all, so appending them does not grow (and copy) the buffer. */
  reserve(rows: number): void {
    if (rows * this.width <= this.buf.length) return;
    const grown = new this.ctor(rows * this.width);
    grown.set(this.buf.subarray(0, this.count * this.width) as never);
    this.buf = grown;
  }

  append(values: T): void {
    const need = (this.count * this.width) + values.length;
    if (need > this.buf.length) {
      const grown = new this.ctor(Math.max(need, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.count * this.width) as never);
      this.buf = grown;
    }
    this.buf.set(values as never, this.count * this.width);
    this.count += values.length / this.width;
  }

  /** Every row, as a view. */
  all(): T {
    return this.buf.subarray(0, this.count * this.width) as T;
  }

  block(r0: number, r1: number): T {
    return this.buf.subarray(r0 * this.width, r1 * this.width) as T;
  }

  gather(rows: ArrayLike<number>): T {
    const out = new this.ctor(rows.length * this.width);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out.set(this.buf.subarray(r * this.width, (r + 1) * this.width) as never, i * this.width);
    }
    return out;
  }

  close(): void {}
}

/** Rows stored contiguously in a file from `byteOffset` (a safetensors tensor's data), read on demand. */
export class FileRows<T extends RowArray> implements RowStore<T> {
  private fd: number | undefined;
  private scratch: T | undefined;

  constructor(
    readonly path: string,
    private readonly ctor: RowCtor<T>,
    readonly width: number,
    readonly count: number,
    private readonly byteOffset: number,
  ) {}

  private handle(): number {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch (e) {
        throw new IndexError(`${this.path}: cannot read the index vectors: ${(e as Error).message}`, { cause: e });
      }
    }
    return this.fd;
  }

  private readInto(target: T, r0: number, rows: number, at = 0): void {
    const bytes = new Uint8Array(target.buffer, target.byteOffset + at * this.width * this.ctor.BYTES_PER_ELEMENT, rows * this.width * this.ctor.BYTES_PER_ELEMENT);
    const start = this.byteOffset + r0 * this.width * this.ctor.BYTES_PER_ELEMENT;
    if (readFully(this.handle(), bytes, start) < bytes.length) throw new IndexError(`${this.path}: ends before row ${r0 + rows} (truncated while reading?)`);
  }

  block(r0: number, r1: number): T {
    const n = (r1 - r0) * this.width;
    if (!this.scratch || this.scratch.length < n) this.scratch = new this.ctor(n);
    const view = this.scratch.subarray(0, n) as T;
    this.readInto(view, r0, r1 - r0);
    return view;
  }

  gather(rows: ArrayLike<number>): T {
    const out = new this.ctor(rows.length * this.width);
    // Runs of consecutive rows are read with one call.
    for (let i = 0; i < rows.length; ) {
      let j = i + 1;
      while (j < rows.length && rows[j] === rows[j - 1]! + 1) j++;
      this.readInto(out, rows[i]!, j - i, i);
      i = j;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
