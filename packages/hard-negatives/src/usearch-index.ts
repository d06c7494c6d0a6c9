import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checks, opt, writeSafetensors, type ParsedOptions } from '@retrievals/core-tensor';
import type * as Usearch from 'usearch';
import { defineIndex, hitsOf } from './define-index.js';
import { IndexError } from './errors.js';
import { idsMetadata, INDEX_FORMAT, inMemory, TensorFile } from './index-file.js';
import type { Neighbors, SearchHit, VectorIndex } from './registry.js';

type UsearchModule = typeof Usearch;
let loaded: UsearchModule | undefined;

/** The usearch native addon, loaded on first use (a process that never builds one never loads it). */
function usearch(): UsearchModule {
  if (!loaded) {
    try {
      const mod = createRequire(import.meta.url)('usearch') as UsearchModule & { default?: UsearchModule };
      loaded = mod.default ?? mod;
    } catch (e) {
      throw new IndexError(`usearch index: the 'usearch' package cannot be loaded here (${(e as Error).message}); use the 'flat' index`, { cause: e });
    }
  }
  return loaded;
}

export const USEARCH_OPTIONS = {
  /** HNSW graph degree M (usearch's `connectivity`). */
  connectivity: opt(16, checks.positiveInteger),
  /** Candidates kept while inserting (efConstruction). */
  expansionAdd: opt(128, checks.positiveInteger),
  /** Candidates kept while searching (ef); raised to k when k is larger. */
  expansionSearch: opt(128, checks.positiveInteger),
  /** Threads for add and search; 0 lets usearch decide. */
  threads: opt(0, checks.nonNegativeInteger),
};

type UsearchOptions = ParsedOptions<typeof USEARCH_OPTIONS>;

/**
 * Approximate inner-product search (HNSW) through the `usearch` npm package. Row n (the n-th vector
 * added) is usearch key n; scores are 1 − usearch's IP distance. Saved as one safetensors file: the
 * index's own serialisation as the `native` tensor, the ids and options in the metadata.
 */
export class UsearchIndex implements VectorIndex {
  private readonly index: Usearch.Index;
  private readonly ids: string[] = [];
  metadata: Record<string, string> = {};

  constructor(
    readonly dim: number,
    readonly options: UsearchOptions,
    expansionSearch = options.expansionSearch,
  ) {
    const { Index, MetricKind, ScalarKind } = usearch();
    this.index = new Index({
      dimensions: dim,
      metric: MetricKind.IP,
      quantization: ScalarKind.F32,
      connectivity: options.connectivity,
      expansion_add: options.expansionAdd,
      expansion_search: expansionSearch,
      multi: false,
    });
  }

  get size(): number {
    return this.ids.length;
  }

  idOf(row: number): string {
    const id = this.ids[row];
    if (id === undefined) throw new IndexError(`usearch index: no row ${row}`);
    return id;
  }

  add(vectors: Float32Array, ids: readonly string[]): void {
    // Ids are checked (one per vector, none added twice) by defineIndex's wrapper, as for every index kind.
    if (!ids.length) return;
    const base = this.ids.length;
    const keys = BigUint64Array.from(ids, (_, i) => BigInt(base + i));
    this.index.add(keys, vectors, this.options.threads);
    this.ids.push(...ids);
  }

  async search(queries: Float32Array, k: number): Promise<SearchHit[]> {
    return hitsOf(await this.searchNeighbors(queries, k), (r) => this.idOf(r));
  }

  async searchNeighbors(queries: Float32Array, k: number): Promise<Neighbors> {
    const nq = queries.length / this.dim;
    const out: Neighbors = { queries: nq, k, rows: new Int32Array(nq * k).fill(-1), scores: new Float32Array(nq * k).fill(-Infinity) };
    if (this.size === 0 || nq === 0) return out;
    const kk = Math.min(k, this.size);
    const res = this.index.search(queries, kk, this.options.threads) as Usearch.BatchMatches | Usearch.Matches;
    const counts = 'counts' in res ? res.counts : BigUint64Array.from([BigInt(res.keys.length)]);
    for (let q = 0; q < nq; q++) {
      const c = Number(counts[q]!);
      for (let j = 0; j < c; j++) {
        out.rows[q * k + j] = Number(res.keys[q * kk + j]!);
        out.scores[q * k + j] = Math.fround(1 - res.distances[q * kk + j]!);
      }
    }
    return out;
  }

  async save(path: string, metadata: Record<string, string> = {}): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'retrievals-usearch-'));
    try {
      const tmp = join(dir, 'index.usearch');
      this.index.save(tmp);
      const native = new Uint8Array(readFileSync(tmp));
      writeSafetensors(path, { native: inMemory('uint8', [native.length], native) }, {
        ...metadata,
        format: INDEX_FORMAT,
        kind: 'usearch',
        dim: String(this.dim),
        rows: String(this.size),
        connectivity: String(this.options.connectivity),
        expansion_add: String(this.options.expansionAdd),
        ...idsMetadata(this.ids),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  static async load(path: string, options: UsearchOptions): Promise<UsearchIndex> {
    const file = TensorFile.open(path).expectIndex('usearch');
    const dim = file.int('dim'), n = file.int('rows');
    const info = file.tensors.get('native');
    if (!info) throw new IndexError(`${path}: no 'native' tensor (usearch's serialisation)`);
    const native = file.read('native', Uint8Array, 'uint8', info.shape);
    // The graph's degree is fixed when it was built: take it from the file, the search options from the caller.
    const built = { ...options, connectivity: file.int('connectivity'), expansionAdd: file.int('expansion_add') };
    const index = new UsearchIndex(dim, built);
    const dir = mkdtempSync(join(tmpdir(), 'retrievals-usearch-'));
    try {
      const tmp = join(dir, 'index.usearch');
      writeFileSync(tmp, native);
      index.index.load(tmp);
    } catch (e) {
      throw new IndexError(`${path}: usearch cannot read its index: ${(e as Error).message}`, { cause: e });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (index.index.size() !== n) throw new IndexError(`${path}: the usearch index holds ${index.index.size()} vectors, the metadata says ${n}`);
    const ids = file.ids(n);
    index.ids.push(...ids);
    index.metadata = { ...file.metadata };
    return index;
  }
}

/** `usearch` (alias `hnsw`): HNSW from the usearch package. */
export const usearchIndex = defineIndex({
  name: 'usearch',
  options: USEARCH_OPTIONS,
  build: (dim, o) => new UsearchIndex(dim, o),
  load: (path, o) => UsearchIndex.load(path, o),
});
