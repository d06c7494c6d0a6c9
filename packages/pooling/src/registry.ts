import { Registry } from '@retrievals/core-tensor';
/** Makes a pooler from its options (hidden states + mask -> one vector per text). */
export type PoolerFactory = (options?: Record<string, unknown>) => unknown;

/** The pooling registry: built-ins and plugins register here and are looked up by name. */
export const poolers = new Registry<PoolerFactory>('pooling');

declare module '@retrievals/core-tensor' {
  interface Registries {
    poolers: Registry<PoolerFactory>;
  }
}
