import { checks, opt, writeSafetensors, type OptionCheck, type ParsedOptions, type TensorToWrite } from '@retrievals/core-tensor';
import { defineIndex, hitsOf } from './define-index.js';
import { IndexError } from './errors.js';
import { idsMetadata, INDEX_FORMAT, inMemory, TensorFile, bytesOf } from './index-file.js';
import { kernelsFor, type Kernels, type PreparedBlock } from './kernels.js';
import { dot, TopKAccumulator } from './neighbors.js';
import type { Neighbors, SearchHit, VectorIndex } from './registry.js';
import { dimensionScales, forBlocks, packSigns, quantizeInt8, scalesOfStore, signsOf, unpackSigns } from './quantize.js';
import { MemoryRows, type RowStore } from './rows.js';

export type FlatPrecision = 'float32' | 'int8' | 'binary';

const optionalNonNegative: OptionCheck = (v) => (v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0) ? undefined : 'a finite number ≥ 0');

/** The options of `flat` (and of `flat-int8` / `flat-binary`, which preset `precision`). */
export const FLAT_OPTIONS = {
  /** Corpus rows scored per program (one matmul + top-k): the score tile is queryBlock × blockSize floats. */
  blockSize: opt(16384, checks.positiveInteger),
  /** Queries per program. */
  queryBlock: opt(1024, checks.positiveInteger),
  /** What is scanned: float32 (exact), int8 (symmetric, MatMulInteger), binary (sign bits, then exact rescoring). */
  precision: opt<FlatPrecision>('float32', checks.oneOf('float32', 'int8', 'binary')),
  /** int8 scales: one per row (each row's max |value| → 127; shard-independent) or one per dimension (calibrated on the first add). */
  int8Scale: opt<'row' | 'dimension'>('row', checks.oneOf('row', 'dimension')),
  /** Rescore the best rescore×k of the int8/binary scan with the float vectors (default 0 for int8, 4 for binary; binary needs ≥ 1). */
  rescore: opt<number | undefined>(undefined, optionalNonNegative),
  /** On load: read the vectors into memory, or leave them in the file and read them block by block at each search. */
  storage: opt<'memory' | 'file'>('memory', checks.oneOf('memory', 'file')),
  /** core-tensor backend running the programs (default: the context's; `ort` compiles them once, others realise core-tensor ops). */
  backend: opt<string | undefined>(undefined, (v) => (v === undefined || (typeof v === 'string' && v.length > 0) ? undefined : 'a backend name')),
};

export type FlatOptions = ParsedOptions<typeof FLAT_OPTIONS>;

/** Candidates kept beyond k before the exact rescoring, so last-bit differences of the scan never change which k are returned. */
const EXACT_MARGIN = 16;

/** Working memory of one rescoring program (gathered rows), bytes. */
const RESCORE_BYTES = 64 * 2 ** 20;

/**
 * Exact (float32) or quantised (int8, binary + exact rescoring) inner-product search over a corpus
 * scanned block by block: for each block of `blockSize` corpus rows (read once, from memory or from
 * the file) and each block of `queryBlock` queries, ONE program computes the score tile and its
 * top k (see kernels.ts); the per-block results are merged into each query's running top k with
 * ties going to the earlier row, so the answer does not depend on the block sizes (or on sharding).
 * Working memory is one score tile plus the query vectors, whatever the corpus size.
 */
export class FlatIndex implements VectorIndex {
  private ids: string[] = [];
  private float: RowStore<Float32Array> | undefined;
  private int8: RowStore<Int8Array> | undefined;
  private rowScale: RowStore<Float32Array> | undefined;
  private dimScale: Float32Array | undefined;
  private bits: RowStore<Uint8Array> | undefined;
  private readonly readOnly: boolean;
  /** Metadata read from the file it was loaded from (fingerprints a writer recorded). */
  metadata: Record<string, string> = {};

  constructor(
    readonly dim: number,
    readonly options: FlatOptions = parseFlat({}),
    stores?: { ids: string[]; float?: RowStore<Float32Array>; int8?: RowStore<Int8Array>; rowScale?: RowStore<Float32Array>; dimScale?: Float32Array; bits?: RowStore<Uint8Array>; readOnly?: boolean },
  ) {
    const p = options.precision;
    if (p === 'binary' && this.rescoreFactor < 1) throw new IndexError(`flat index: binary precision needs rescore ≥ 1 (the sign bits only preselect), got ${options.rescore}`);
    if (stores) {
      this.ids = stores.ids;
      const known = new Set<string>();
      for (const id of stores.ids) {
        if (known.has(id)) throw new IndexError(`flat index: id '${id}' is already in the index`);
        known.add(id);
      }
      Object.assign(this, { float: stores.float, int8: stores.int8, rowScale: stores.rowScale, dimScale: stores.dimScale, bits: stores.bits });
    } else {
      if (this.keepsFloat) this.float = new MemoryRows(Float32Array, dim);
      if (p === 'int8') {
        this.int8 = new MemoryRows(Int8Array, dim);
        if (options.int8Scale === 'row') this.rowScale = new MemoryRows(Float32Array, 1);
      }
      if (p === 'binary') this.bits = new MemoryRows(Uint8Array, Math.ceil(dim / 8));
    }
    this.readOnly = stores?.readOnly ?? false;
  }

  get size(): number {
    return this.ids.length;
  }

  get precision(): FlatPrecision {
    return this.options.precision;
  }

  private get rescoreFactor(): number {
    return this.options.rescore ?? (this.options.precision === 'binary' ? 4 : 0);
  }

  private get keepsFloat(): boolean {
    return this.options.precision === 'float32' || this.rescoreFactor > 0;
  }

  idOf(row: number): string {
    const id = this.ids[row];
    if (id === undefined) throw new IndexError(`flat index: no row ${row} (holds ${this.size})`);
    return id;
  }

  /** Room for `rows` vectors in all (the miner knows the corpus size): adding them then never copies the stores. */
  reserve(rows: number): void {
    for (const s of [this.float, this.int8, this.rowScale, this.bits]) if (s instanceof MemoryRows) s.reserve(rows);
  }

  add(vectors: Float32Array, ids: readonly string[]): void {
    if (this.readOnly) throw new IndexError('flat index: loaded with storage "file", it is read-only; load it with storage "memory" to add vectors');
    // Ids are checked (one per vector, none added twice) by defineIndex's wrapper, as for every index kind.
    const n = ids.length, d = this.dim;
    if (this.float) (this.float as MemoryRows<Float32Array>).append(vectors);
    if (this.int8) {
      const { q, scale } = quantizeInt8(vectors, n, d, this.options.int8Scale === 'dimension' ? (this.dimScale ??= dimensionScales(vectors, n, d)) : undefined);
      (this.int8 as MemoryRows<Int8Array>).append(q);
      if (this.rowScale) (this.rowScale as MemoryRows<Float32Array>).append(scale!);
    }
    if (this.bits) (this.bits as MemoryRows<Uint8Array>).append(packSigns(vectors, n, d));
    this.ids.push(...ids);
  }

  async search(queries: Float32Array, k: number): Promise<SearchHit[]> {
    return hitsOf(await this.searchNeighbors(queries, k), (r) => this.idOf(r));
  }

  async searchNeighbors(queries: Float32Array, k: number): Promise<Neighbors> {
    const d = this.dim, nq = queries.length / d, n = this.size;
    const kk = Math.min(k, n);
    if (kk === 0 || nq === 0) return { queries: nq, k, rows: new Int32Array(nq * k).fill(-1), scores: new Float32Array(nq * k).fill(-Infinity) };
    const kernels = kernelsFor(this.options.backend);
    // The scan's float32 scores depend on block shapes in their last bits: it keeps EXACT_MARGIN
    // candidates more than asked, and the final order comes from exact scores (see exact()).
    const k2 = Math.min(n, kk + EXACT_MARGIN);
    let found: Neighbors;
    if (this.precision === 'float32') {
      const cand = await this.scan(kernels, nq, k2, (r0, r1) => kernels.prepareFloat(this.float!.block(r0, r1), r1 - r0, d), (q0, q1) => queries.subarray(q0 * d, q1 * d));
      found = this.exact(queries, nq, cand, kk);
    } else if (this.precision === 'int8' && this.rescoreFactor === 0) {
      // Integer sums are exact and the scales are applied the same way in every block: no rescoring needed for determinism.
      const { q, scale } = quantizeInt8(queries, nq, d, undefined, this.dimScale);
      found = await this.scan(kernels, nq, kk, (r0, r1) => kernels.prepareInt(this.int8!.block(r0, r1), r1 - r0, d, this.rowScale?.block(r0, r1)), (q0, q1) => q.subarray(q0 * d, q1 * d));
      for (let i = 0; i < nq; i++) for (let j = 0; j < kk; j++) found.scores[i * kk + j]! *= scale[i]!;
    } else {
      const R = Math.min(n, Math.max(k2, Math.ceil(this.rescoreFactor * kk)));
      let cand: Neighbors;
      if (this.precision === 'int8') {
        const { q } = quantizeInt8(queries, nq, d, undefined, this.dimScale);
        cand = await this.scan(kernels, nq, R, (r0, r1) => kernels.prepareInt(this.int8!.block(r0, r1), r1 - r0, d, this.rowScale?.block(r0, r1)), (q0, q1) => q.subarray(q0 * d, q1 * d));
      } else {
        const signs = signsOf(queries);
        cand = await this.scan(kernels, nq, R, (r0, r1) => kernels.prepareInt(unpackSigns(this.bits!.block(r0, r1), r1 - r0, d), r1 - r0, d), (q0, q1) => signs.subarray(q0 * d, q1 * d));
      }
      // The float rescoring of R candidates runs as one program per query block; the last k2 exactly.
      const pre = R > k2 ? await this.rescore(kernels, queries, nq, cand, k2) : cand;
      found = this.exact(queries, nq, pre, kk);
    }
    return found.k === k ? found : widen(found, k);
  }

  /** Corpus blocks outer (each read once), query blocks inner; one program per pair. */
  private async scan(kernels: Kernels, nq: number, k: number, block: (r0: number, r1: number) => PreparedBlock, querySlice: (q0: number, q1: number) => Float32Array | Int8Array): Promise<Neighbors> {
    const acc = new TopKAccumulator(nq, k);
    const { blockSize, queryBlock } = this.options;
    for (let r0 = 0; r0 < this.size; r0 += blockSize) {
      const r1 = Math.min(this.size, r0 + blockSize);
      const prepared = block(r0, r1);
      for (let q0 = 0; q0 < nq; q0 += queryBlock) {
        const q1 = Math.min(nq, q0 + queryBlock);
        const res = await kernels.topk(prepared, querySlice(q0, q1), q1 - q0, k);
        acc.merge(q0, q1 - q0, res.kb, res.scores, res.local, r0);
      }
    }
    return acc.result();
  }

  /**
   * Each query's candidates rescored with the canonical dot (float64, rounded once), ordered by score
   * then row, the best k kept. The candidates are bucketed by corpus block and each block with any
   * is read once, in file order, so a file-backed corpus is read sequentially.
   */
  private exact(queries: Float32Array, nq: number, cand: Neighbors, k: number): Neighbors {
    const d = this.dim, K = cand.k, n = this.size, B = this.options.blockSize;
    // Candidates sorted by row (a counting sort): each row is read once and scored against all the
    // queries that found it, and a file-backed corpus is read in order.
    const start = new Int32Array(n + 1);
    for (let p = 0; p < cand.rows.length; p++) if (cand.rows[p]! >= 0) start[cand.rows[p]! + 1]!++;
    for (let r = 0; r < n; r++) start[r + 1]! += start[r]!;
    const order = new Int32Array(start[n]!), fill = start.slice(0, n);
    for (let p = 0; p < cand.rows.length; p++) if (cand.rows[p]! >= 0) order[fill[cand.rows[p]!]!++] = p;
    const scores = new Float32Array(cand.rows.length).fill(-Infinity);
    for (let r0 = 0; r0 < n; r0 += B) {
      const r1 = Math.min(n, r0 + B);
      if (start[r0] === start[r1]) continue;
      const block = this.float!.block(r0, r1);
      for (let r = r0; r < r1; r++) {
        const ro = (r - r0) * d;
        for (let t = start[r]!; t < start[r + 1]!; t++) {
          const p = order[t]!;
          scores[p] = dot(queries, ((p / K) | 0) * d, block, ro, d);
        }
      }
    }
    const out: Neighbors = { queries: nq, k, rows: new Int32Array(nq * k).fill(-1), scores: new Float32Array(nq * k).fill(-Infinity) };
    const idx = Array.from({ length: K }, (_, j) => j);
    for (let q = 0; q < nq; q++) {
      const o = q * K;
      idx.sort((a, b) => {
        const ra = cand.rows[o + a]!, rb = cand.rows[o + b]!;
        if (ra < 0 || rb < 0) return (ra < 0 ? 1 : 0) - (rb < 0 ? 1 : 0);
        return scores[o + b]! - scores[o + a]! || ra - rb;
      });
      for (let j = 0; j < k; j++) {
        out.rows[q * k + j] = cand.rows[o + idx[j]!]!;
        out.scores[q * k + j] = scores[o + idx[j]!]!;
      }
      for (let j = 0; j < K; j++) idx[j] = j;
    }
    return out;
  }

  /** Float scores (one program per query block) for each query's R candidates, best k kept. */
  private async rescore(kernels: Kernels, queries: Float32Array, nq: number, cand: Neighbors, k: number): Promise<Neighbors> {
    const d = this.dim, R = cand.k;
    const out: Neighbors = { queries: nq, k, rows: new Int32Array(nq * k), scores: new Float32Array(nq * k) };
    const step = Math.max(1, Math.floor(RESCORE_BYTES / (R * d * 4)));
    const memory = this.float instanceof MemoryRows ? this.float.all() : undefined;
    for (let q0 = 0; q0 < nq; q0 += step) {
      const q1 = Math.min(nq, q0 + step), m = q1 - q0;
      const rows = cand.rows.subarray(q0 * R, q1 * R);
      let c: Float32Array, u: number, idx: Int32Array;
      if (memory) {
        c = memory;
        u = this.size;
        idx = rows;
      } else {
        // From a file: each distinct row read once, in file order.
        const unique = Int32Array.from(new Set(rows)).sort();
        const pos = new Map<number, number>();
        unique.forEach((r, i) => pos.set(r, i));
        c = this.float!.gather(unique);
        u = unique.length;
        idx = Int32Array.from(rows, (r) => pos.get(r)!);
      }
      const res = await kernels.gatherTopK(c, u, d, idx, R, queries.subarray(q0 * d, q1 * d), m, k);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < k; j++) {
          out.rows[(q0 + i) * k + j] = rows[i * R + res.local[i * res.kb + j]!]!;
          out.scores[(q0 + i) * k + j] = res.scores[i * res.kb + j]!;
        }
      }
    }
    return out;
  }

  /** Writes one safetensors file atomically; `metadata` is stored beside the index's own (fingerprints). */
  async save(path: string, metadata: Record<string, string> = {}): Promise<void> {
    const n = this.size, d = this.dim;
    const tensors: Record<string, TensorToWrite> = {};
    const stream = <T extends Float32Array | Int8Array | Uint8Array>(store: RowStore<T>): (() => Iterable<Uint8Array>) =>
      function* () {
        for (let r0 = 0; r0 < n; r0 += 16384) yield bytesOf(store.block(r0, Math.min(n, r0 + 16384))).slice();
      };
    if (this.float) tensors.embeddings = { dtype: 'float32', shape: [n, d], chunks: stream(this.float) };
    if (this.int8) tensors.int8 = { dtype: 'int8', shape: [n, d], chunks: stream(this.int8) };
    if (this.rowScale) tensors.int8_scale = { dtype: 'float32', shape: [n], chunks: stream(this.rowScale) };
    if (this.dimScale) tensors.int8_scale = inMemory('float32', [d], this.dimScale);
    if (this.bits) tensors.binary = { dtype: 'uint8', shape: [n, Math.ceil(d / 8)], chunks: stream(this.bits) };
    writeSafetensors(path, tensors, {
      ...metadata,
      format: INDEX_FORMAT,
      kind: 'flat',
      precision: this.precision,
      int8_scale: this.options.int8Scale,
      dim: String(d),
      rows: String(n),
      ...idsMetadata(this.ids),
    });
  }

  close(): void {
    for (const s of [this.float, this.int8, this.rowScale, this.bits]) s?.close();
  }

  /**
   * Loads a saved flat index or an embedding shard (any file with an `embeddings` tensor and index
   * metadata). Quantised tensors the file lacks are computed from its float vectors, block by
   * block; with storage 'file' the float vectors stay in the file.
   */
  static async load(path: string, options: FlatOptions = parseFlat({})): Promise<FlatIndex> {
    const file = TensorFile.open(path).expectIndex('flat');
    const d = file.int('dim'), n = file.int('rows');
    if (d < 1) throw new IndexError(`${path}: metadata 'dim' must be ≥ 1`);
    const ids = file.ids(n);
    const storage = options.storage;
    const stores: { float?: RowStore<Float32Array>; int8?: RowStore<Int8Array>; rowScale?: RowStore<Float32Array>; dimScale?: Float32Array; bits?: RowStore<Uint8Array> } = {};
    if (file.has('embeddings')) stores.float = file.rows('embeddings', Float32Array, 'float32', n, d, storage);
    const p = options.precision;
    const fileScale = file.metadata.int8_scale === 'dimension' ? 'dimension' : 'row';
    if (p === 'int8' && file.has('int8') && fileScale === options.int8Scale) {
      stores.int8 = file.rows('int8', Int8Array, 'int8', n, d, storage);
      if (fileScale === 'row') stores.rowScale = file.rows('int8_scale', Float32Array, 'float32', n, 1, storage);
      else stores.dimScale = file.read('int8_scale', Float32Array, 'float32', [d]);
    } else if (p === 'int8') {
      if (!stores.float) throw new IndexError(`${path}: has no float 'embeddings' to quantise to int8`);
      const q = new MemoryRows(Int8Array, d), s = new MemoryRows(Float32Array, 1);
      if (options.int8Scale === 'dimension') stores.dimScale = scalesOfStore(stores.float, n, d);
      forBlocks(stores.float, n, (block, m) => {
        const r = quantizeInt8(block, m, d, stores.dimScale);
        q.append(r.q as Int8Array<ArrayBuffer>);
        if (options.int8Scale === 'row') s.append(r.scale as Float32Array<ArrayBuffer>);
      });
      stores.int8 = q;
      if (options.int8Scale === 'row') stores.rowScale = s;
    }
    if (p === 'binary') {
      if (file.has('binary')) stores.bits = file.rows('binary', Uint8Array, 'uint8', n, Math.ceil(d / 8), storage);
      else {
        if (!stores.float) throw new IndexError(`${path}: has no float 'embeddings' to take sign bits from`);
        const b = new MemoryRows(Uint8Array, Math.ceil(d / 8));
        forBlocks(stores.float, n, (block, m) => b.append(packSigns(block, m, d) as Uint8Array<ArrayBuffer>));
        stores.bits = b;
      }
    }
    if ((p === 'float32' || (options.rescore ?? (p === 'binary' ? 4 : 0)) > 0) && !stores.float) {
      throw new IndexError(`${path}: has no float 'embeddings'; ${p === 'float32' ? 'a float32 flat index' : 'rescoring'} needs them`);
    }
    if (p !== 'float32' && (options.rescore ?? (p === 'binary' ? 4 : 0)) === 0 && stores.float) {
      stores.float.close();
      delete stores.float;
    }
    const loaded = new FlatIndex(d, options, { ids, ...stores, readOnly: storage === 'file' });
    loaded.metadata = { ...file.metadata };
    return loaded;
  }
}

/** Pads a result to k columns (when the index holds fewer than k vectors). */
function widen(n: Neighbors, k: number): Neighbors {
  const out: Neighbors = { queries: n.queries, k, rows: new Int32Array(n.queries * k).fill(-1), scores: new Float32Array(n.queries * k).fill(-Infinity) };
  for (let q = 0; q < n.queries; q++) {
    out.rows.set(n.rows.subarray(q * n.k, (q + 1) * n.k), q * k);
    out.scores.set(n.scores.subarray(q * n.k, (q + 1) * n.k), q * k);
  }
  return out;
}

function parseFlat(o: Partial<FlatOptions>): FlatOptions {
  return { blockSize: 16384, queryBlock: 1024, precision: 'float32', int8Scale: 'row', rescore: undefined, storage: 'memory', backend: undefined, ...o };
}

const flatKind = (name: string, precision?: FlatPrecision) =>
  defineIndex({
    name,
    options: precision ? { ...FLAT_OPTIONS, precision: opt<FlatPrecision>(precision, checks.oneOf(precision)) } : FLAT_OPTIONS,
    build: (dim, o) => new FlatIndex(dim, o),
    load: (path, o) => FlatIndex.load(path, o),
  });

/** `flat`: exact inner product (precision float32 unless given). */
export const flatIndex = flatKind('flat');
/** `flat-int8`: the flat scan over symmetric int8 vectors (MatMulInteger), optionally rescored. */
export const flatInt8Index = flatKind('flat-int8', 'int8');
/** `flat-binary`: sign bits scanned (±1 int8 matmul ≡ Hamming), then the best rescore×k rescored exactly. */
export const flatBinaryIndex = flatKind('flat-binary', 'binary');
