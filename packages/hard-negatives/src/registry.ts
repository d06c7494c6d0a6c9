import { Registry } from '@retrievals/core-tensor';

/** The k best documents for one query, best first. */
export interface SearchHit {
  ids: string[];
  scores: Float32Array;
}

/**
 * Every query's k best as two dense [q, k] arrays, best first: `rows` are positions in insertion
 * order (the n-th vector added is row n), −1 (score −Infinity) where the index holds fewer than k.
 * What the miner and the shard map step work with: no string per hit.
 */
export interface Neighbors {
  queries: number;
  k: number;
  rows: Int32Array;
  scores: Float32Array;
}

/**
 * A searchable set of vectors of one dimension. Vectors travel as one Float32Array of n×dim values,
 * row-major (what `encode` returns), never as arrays of arrays.
 */
export interface VectorIndex {
  readonly dim: number;
  /** How many vectors it holds. */
  readonly size: number;
  /** Optional: makes room for `rows` vectors in all before they are added. */
  reserve?(rows: number): void;
  /** Appends n vectors (n×dim values) under their ids; ids are unique across the index. */
  add(vectors: Float32Array, ids: readonly string[]): void;
  /** The top k by inner product for each of the q queries (q×dim values); fewer when the index holds fewer. */
  search(queries: Float32Array, k: number): Promise<SearchHit[]>;
  /**
   * The same search as dense rows (see Neighbors). Optional for a plugin: without it, callers map
   * `search`'s ids back to rows.
   */
  searchNeighbors?(queries: Float32Array, k: number): Promise<Neighbors>;
  /** The id of row r (insertion order). */
  idOf?(row: number): string;
  /**
   * Writes the index to one file, atomically (a reader never sees a half-written file); `metadata`
   * (string → string) is stored with it and comes back as `metadata` after `load`.
   */
  save(path: string, metadata?: Record<string, string>): Promise<void>;
  /** What `save` stored beside the index (empty for an index that was built, not loaded). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Releases files or native memory the index holds; optional. */
  close?(): void;
}

/** One kind of index (`flat`, a plugin's ANN): makes an empty index or loads a saved one. */
export interface IndexKind {
  readonly name: string;
  /** The options it was made with, after defaults (recorded in saved indexes and fingerprints). */
  readonly options: Readonly<Record<string, unknown>>;
  build(dim: number): VectorIndex;
  load(path: string): Promise<VectorIndex>;
}

/** Makes an index kind from its options (`{ name: 'flat', blockSize: 16384 }`); what the registry holds. */
export type IndexFactory = (options?: Record<string, unknown>) => IndexKind;

/** The vector index registry: built-ins and plugins register here and are looked up by name. */
export const indexes = new Registry<IndexFactory>('vector index', { owner: '@retrievals/hard-negatives' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    indexes: Registry<IndexFactory>;
  }
}
