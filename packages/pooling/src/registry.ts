import { Registry, type Tensor } from '@retrievals/core-tensor';

/**
 * Turns a model's last hidden states [B, T, H] and its attention mask [B, T] (1 = token, 0 =
 * padding; int64, int32, bool or float) into one vector per text, [B, H]. Built from core-tensor
 * ops only, so the same pooler runs in inference graphs, in training (gradients flow to the hidden
 * states) and in exported ONNX graphs.
 */
export type Pooler = (lastHidden: Tensor, attentionMask: Tensor) => Tensor;

/** Options a pooler factory may take (none of the built-ins needs any). */
export type PoolerOptions = Record<string, unknown>;

/** Makes a pooler from its options, as registered under a name. */
export type PoolerFactory = (options?: PoolerOptions) => Pooler;

/** The pooling registry: built-ins and plugins register here and are looked up by name. */
export const poolers = new Registry<PoolerFactory>('pooling', { owner: '@retrievals/pooling' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    poolers: Registry<PoolerFactory>;
  }
}

/** Looks a pooler up by any of its names (`mean`, `avg`, ...) and makes it, as `poolers.create({ name, ...options })`. */
export function getPooler(name: string, options?: PoolerOptions): Pooler {
  return poolers.create({ ...options, name });
}
