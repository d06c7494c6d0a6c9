import { parseOptions, type OptionSpecs, type ParsedOptions } from '@retrievals/core-tensor';
import { IndexError } from './errors.js';
import type { IndexFactory, IndexKind, Neighbors, SearchHit, VectorIndex } from './registry.js';

export interface IndexDefinition<S extends OptionSpecs> {
  /** The registry name, used in every error message. */
  name: string;
  options?: S;
  /** An empty index; its add/search are called with inputs already checked. */
  build: (dim: number, options: ParsedOptions<S>) => VectorIndex;
  load: (path: string, options: ParsedOptions<S>) => Promise<VectorIndex>;
}

/**
 * Makes what the indexes registry holds, adding what every index needs: options checked by name and
 * value, a positive integer dim, and add/search inputs checked against it (n×dim values, one id per
 * vector, no id added twice, finite values, k a positive integer), so an implementation holds only its search.
 */
export function defineIndex<S extends OptionSpecs = Record<never, never>>(def: IndexDefinition<S>): IndexFactory {
  return (given) => {
    const options = parseOptions({ kind: 'vector index', name: def.name }, given, def.options ?? ({} as S));
    const kind: IndexKind = {
      name: def.name,
      options: Object.freeze({ ...options }),
      build(dim) {
        if (!Number.isSafeInteger(dim) || dim < 1) throw new IndexError(`${def.name} index: dim must be a positive integer, got ${dim}`);
        return checked(def.name, def.build(dim, options));
      },
      load: async (path) => checked(def.name, await def.load(path, options)),
    };
    return kind;
  };
}

function checked(name: string, index: VectorIndex): VectorIndex {
  const rows = (what: string, values: Float32Array) => {
    if (!(values instanceof Float32Array)) throw new IndexError(`${name} index: ${what} must be a Float32Array of n×${index.dim} values, got ${typeof values}`);
    if (values.length % index.dim !== 0) throw new IndexError(`${name} index: ${what} has ${values.length} values, not a multiple of dim ${index.dim}`);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      // v - v is 0 for every finite value and NaN for NaN and ±Infinity: one comparison per value.
      if (v - v !== 0) throw new IndexError(`${name} index: ${what} row ${Math.floor(i / index.dim)} holds ${v} at column ${i % index.dim}`);
    }
    return values.length / index.dim;
  };
  // Ids already in the index (those of a loaded file read through idOf on the first add): one id per vector, for every index kind.
  let known: Set<string> | undefined;
  const checkIds = (ids: readonly string[]) => {
    if (!known) {
      known = new Set<string>();
      if (index.idOf) for (let r = 0; r < index.size; r++) known.add(index.idOf(r));
    }
    const seen = new Set<string>();
    for (const id of ids) {
      if (known.has(id) || seen.has(id)) throw new IndexError(`${name} index: id '${id}' is already in the index`);
      seen.add(id);
    }
  };
  const checkK = (k: number) => {
    if (!Number.isSafeInteger(k) || k < 1) throw new IndexError(`${name} index: k must be a positive integer, got ${k}`);
  };
  const wrapped: VectorIndex = {
    get dim() {
      return index.dim;
    },
    get size() {
      return index.size;
    },
    add(vectors, ids) {
      const n = rows('vectors', vectors);
      if (ids.length !== n) throw new IndexError(`${name} index: ${n} vectors but ${ids.length} ids`);
      checkIds(ids);
      index.add(vectors, ids);
      for (const id of ids) known!.add(id);
    },
    async search(queries, k): Promise<SearchHit[]> {
      rows('queries', queries);
      checkK(k);
      return index.search(queries, k);
    },
    save: (path, metadata) => index.save(path, metadata),
    get metadata() {
      return index.metadata;
    },
  };
  if (index.searchNeighbors) {
    const impl = index.searchNeighbors.bind(index);
    wrapped.searchNeighbors = async (queries: Float32Array, k: number): Promise<Neighbors> => {
      rows('queries', queries);
      checkK(k);
      return impl(queries, k);
    };
  }
  if (index.reserve) wrapped.reserve = index.reserve.bind(index);
  if (index.idOf) wrapped.idOf = index.idOf.bind(index);
  if (index.close) wrapped.close = index.close.bind(index);
  return wrapped;
}

/**
 * Any index's search as dense rows: its own `searchNeighbors` when it has one, else `search` with
 * each hit's id looked up in `rowOf` (the ids the caller added, in order).
 */
export async function searchNeighbors(index: VectorIndex, queries: Float32Array, k: number, rowOf?: ReadonlyMap<string, number>): Promise<Neighbors> {
  if (index.searchNeighbors) return index.searchNeighbors(queries, k);
  if (!rowOf) throw new IndexError('searchNeighbors: this index has no searchNeighbors; give the id → row map of what was added');
  const hits = await index.search(queries, k);
  const out: Neighbors = { queries: hits.length, k, rows: new Int32Array(hits.length * k).fill(-1), scores: new Float32Array(hits.length * k).fill(-Infinity) };
  hits.forEach((hit, q) => {
    hit.ids.slice(0, k).forEach((id, j) => {
      const row = rowOf.get(id);
      if (row === undefined) throw new IndexError(`search returned id '${id}', which was never added`);
      out.rows[q * k + j] = row;
      out.scores[q * k + j] = hit.scores[j]!;
    });
  });
  return out;
}

/** Neighbors as SearchHits, ids through `idOf`. */
export function hitsOf(n: Neighbors, idOf: (row: number) => string): SearchHit[] {
  const out: SearchHit[] = [];
  for (let q = 0; q < n.queries; q++) {
    let count = 0;
    while (count < n.k && n.rows[q * n.k + count]! >= 0) count++;
    const ids = new Array<string>(count);
    for (let j = 0; j < count; j++) ids[j] = idOf(n.rows[q * n.k + j]!);
    out.push({ ids, scores: n.scores.slice(q * n.k, q * n.k + count) });
  }
  return out;
}
