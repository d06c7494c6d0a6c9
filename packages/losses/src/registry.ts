import { Registry } from '@retrievals/core-tensor';
/** Makes a loss function from its options (embeddings + labels/scores -> scalar loss). */
export type LossFactory = (options?: Record<string, unknown>) => (inputs: Record<string, unknown>) => unknown;

/** The loss registry: built-ins and plugins register here and are looked up by name. */
export const losses = new Registry<LossFactory>('loss');

declare module '@retrievals/core-tensor' {
  interface Registries {
    losses: Registry<LossFactory>;
  }
}
