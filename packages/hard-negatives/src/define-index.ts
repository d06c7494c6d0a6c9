import { parseOptions, type OptionSpecs, type ParsedOptions } from '@retrievals/core-tensor';
import { IndexError } from './errors.js';
import type { IndexFactory, IndexKind, SearchHit, VectorIndex } from './registry.js';

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
 * vector, finite values, k a positive integer), so an implementation holds only its search.
 */
export function defineIndex<S extends OptionSpecs = Record<never, never>>(def: IndexDefinition<S>): IndexFactory {
  return (given) => {
    const options = parseOptions({ kind: 'vector index', name: def.name }, given, def.options ?? ({} as S));
    const kind: IndexKind = {
      name: def.name,
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
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new IndexError(`${name} index: ${what} row ${Math.floor(bad / index.dim)} holds ${values[bad]} at column ${bad % index.dim}`);
    return values.length / index.dim;
  };
  return {
    get dim() {
      return index.dim;
    },
    get size() {
      return index.size;
    },
    add(vectors, ids) {
      const n = rows('vectors', vectors);
      if (ids.length !== n) throw new IndexError(`${name} index: ${n} vectors but ${ids.length} ids`);
      index.add(vectors, ids);
    },
    search(queries, k): SearchHit[] {
      rows('queries', queries);
      if (!Number.isSafeInteger(k) || k < 1) throw new IndexError(`${name} index: k must be a positive integer, got ${k}`);
      return index.search(queries, k);
    },
    save: (path) => index.save(path),
  };
}
