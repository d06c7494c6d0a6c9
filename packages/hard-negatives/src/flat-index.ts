import { checks, opt } from '@retrievals/core-tensor';
import { defineIndex } from './define-index.js';
import { IndexError } from './errors.js';
import { readIndexFile, writeIndexFile } from './index-file.js';
import type { SearchHit, VectorIndex } from './registry.js';
import { TopK } from './top-k.js';

/**
 * Exact inner-product search in plain TypeScript. The corpus is scanned in blocks of `blockSize`
 * rows for a chunk of queries at a time, so working memory is one queries × block score tile
 * whatever the corpus size; each query keeps its k best in a heap.
 */
export class FlatIndex implements VectorIndex {
  private data: Float32Array;
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();

  constructor(
    readonly dim: number,
    private readonly blockSize = 4096,
    private readonly queryBlock = 64,
  ) {
    this.data = new Float32Array(dim * 16);
  }

  get size(): number {
    return this.ids.length;
  }

  add(vectors: Float32Array, ids: readonly string[]): void {
    for (const id of ids) {
      if (this.known.has(id)) throw new IndexError(`flat index: id '${id}' is already in the index`);
      this.known.add(id);
    }
    const need = (this.ids.length + ids.length) * this.dim;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.ids.length * this.dim));
      this.data = grown;
    }
    this.data.set(vectors, this.ids.length * this.dim);
    this.ids.push(...ids);
  }

  search(queries: Float32Array, k: number): SearchHit[] {
    const d = this.dim, n = this.size, q = queries.length / d;
    const out: SearchHit[] = [];
    for (let q0 = 0; q0 < q; q0 += this.queryBlock) {
      const q1 = Math.min(q, q0 + this.queryBlock);
      const heaps = Array.from({ length: q1 - q0 }, () => new TopK(Math.min(k, n)));
      for (let r0 = 0; r0 < n; r0 += this.blockSize) {
        const r1 = Math.min(n, r0 + this.blockSize);
        for (let qi = q0; qi < q1; qi++) {
          const heap = heaps[qi - q0]!, qo = qi * d;
          for (let r = r0; r < r1; r++) {
            let s = 0;
            for (let j = 0, ro = r * d; j < d; j++) s += queries[qo + j]! * this.data[ro + j]!;
            if (heap.k > 0) heap.push(Math.fround(s), r);
          }
        }
      }
      for (const heap of heaps) {
        const { rows, scores } = heap.sorted();
        out.push({ ids: rows.map((r) => this.ids[r]!), scores });
      }
    }
    return out;
  }

  async save(path: string): Promise<void> {
    await writeIndexFile(path, { kind: 'flat', dim: this.dim, ids: this.ids }, this.data.subarray(0, this.size * this.dim));
  }

  static async load(path: string, blockSize?: number): Promise<FlatIndex> {
    const { header, vectors } = await readIndexFile(path, 'flat');
    const index = new FlatIndex(header.dim, blockSize);
    index.add(vectors, header.ids);
    return index;
  }
}

/** The `flat` registry entry: exact search; `blockSize` corpus rows are scored per pass (default 4096). */
export const flatIndex = defineIndex({
  name: 'flat',
  options: { blockSize: opt(4096, checks.positiveInteger) },
  build: (dim, o) => new FlatIndex(dim, o.blockSize),
  load: (path, o) => FlatIndex.load(path, o.blockSize),
});
