import { Registry } from '@retrievals/core-tensor';
/** Builds a model of one architecture from its config.json and weights. */
export type ArchitectureFactory = (config: Record<string, unknown>) => unknown;

/** The architecture registry: built-ins and plugins register here and are looked up by name. */
export const architectures = new Registry<ArchitectureFactory>('architecture');

declare module '@retrievals/core-tensor' {
  interface Registries {
    architectures: Registry<ArchitectureFactory>;
  }
}
