import { Registry } from '@retrievals/core-tensor';

/** The k best documents for one query, best first. */
export interface SearchHit {
  ids: string[];
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
  /** Appends n vectors (n×dim values) under their ids; ids are unique across the index. */
  add(vectors: Float32Array, ids: readonly string[]): void;
  /** The top k by inner product for each of the q queries (q×dim values); fewer when the index holds fewer. */
  search(queries: Float32Array, k: number): SearchHit[];
  /** Writes the index to one file, atomically (a reader never sees a half-written file). */
  save(path: string): Promise<void>;
}

/** One kind of index (`flat`, a plugin's ANN): makes an empty index or loads a saved one. */
export interface IndexKind {
  readonly name: string;
  build(dim: number): VectorIndex;
  load(path: string): Promise<VectorIndex>;
}

/** Makes an index kind from its options (`{ name: 'flat', blockSize: 4096 }`); what the registry holds. */
export type IndexFactory = (options?: Record<string, unknown>) => IndexKind;

/** The vector index registry: built-ins and plugins register here and are looked up by name. */
export const indexes = new Registry<IndexFactory>('vector index', { owner: '@retrievals/hard-negatives' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    indexes: Registry<IndexFactory>;
  }
}
