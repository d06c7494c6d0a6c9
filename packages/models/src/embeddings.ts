import { RetrievalsError } from '@retrievals/core-tensor';

export type Precision = 'float32' | 'int8' | 'uint8' | 'binary' | 'ubinary';
export const PRECISIONS: readonly Precision[] = ['float32', 'int8', 'uint8', 'binary', 'ubinary'];

export type EmbeddingArray = Float32Array | Int8Array | Uint8Array;

/**
 * Embeddings as one dense row-major block (`dims` = [rows, cols]), the layout an index or a file
 * wants: no array of arrays. `row(i)` is a view, not a copy. For `binary`/`ubinary` precision a
 * row holds ⌈dim/8⌉ packed bytes.
 */
export class EmbeddingMatrix<T extends EmbeddingArray = EmbeddingArray> implements Iterable<T> {
  constructor(
    readonly data: T,
    readonly dims: readonly [number, number],
    readonly precision: Precision = 'float32',
  ) {
    if (data.length !== dims[0] * dims[1]) throw new RetrievalsError(`EmbeddingMatrix: ${data.length} values do not fill [${dims.join(', ')}]`);
  }

  get rows(): number {
    return this.dims[0];
  }

  get cols(): number {
    return this.dims[1];
  }

  row(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new RetrievalsError(`EmbeddingMatrix.row: ${i} is out of range for ${this.rows} rows`);
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as T;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.rows; i++) yield this.row(i);
  }

  toArray(): number[][] {
    return Array.from(this, (r) => Array.from(r));
  }
}

/** Rows (of `dim` values each) holding a NaN or an Inf, in order. */
export function nonFiniteRows(data: Float32Array, dim: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * dim < data.length; r++) {
    for (let j = r * dim; j < (r + 1) * dim; j++) {
      if (!Number.isFinite(data[j]!)) {
        rows.push(r);
        break;
      }
    }
  }
  return rows;
}
