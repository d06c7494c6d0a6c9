import { Registry } from '@retrievals/core-tensor';
/** Makes an empty vector index of a given dimension. */
export type IndexFactory = (dim: number) => unknown;

/** The vector index registry: built-ins and plugins register here and are looked up by name. */
export const indexes = new Registry<IndexFactory>('vector index');

declare module '@retrievals/core-tensor' {
  interface Registries {
    indexes: Registry<IndexFactory>;
  }
}
