import { normalize, Registry, slice, type Tensor } from '@retrievals/core-tensor';
import type { Pooler } from '@retrievals/pooling';
import type { TokenBatch } from '../batching.js';
import type { ConfigReader } from '../config.js';
import type { Backbone, InputName } from '../registry.js';

/** What happens after the transformer: pool, Matryoshka-truncate, L2-normalise (in that order, as sentence-transformers). */
export interface PostProcess {
  pooler: Pooler;
  truncateDim?: number;
  normalize: boolean;
}

/** Pools and finishes embeddings with core-tensor ops (one graph with the forward on the `tensor` runtime). */
export function finishEmbeddings(hidden: Tensor, mask: Tensor, post: PostProcess): Tensor {
  let e = post.pooler(hidden, mask);
  if (post.truncateDim !== undefined && post.truncateDim < e.shape[1]!) e = slice(e, 1, 0, post.truncateDim);
  return post.normalize ? normalize(e, -1) : e;
}

/**
 * Runs the transformer of an embedding model. `tensor` builds the core-tensor graph from the
 * safetensors weights; `onnx` runs an existing ONNX export directly in onnxruntime-node.
 */
export interface Runtime {
  readonly name: string;
  /** Fixed input dims of a static-shape export: batches are padded up to them. */
  readonly fixedShape?: { batch?: number; sequence?: number };
  /** The inputs the model reads. */
  readonly inputNames: readonly string[];
  /** Last hidden states [B, T, H], realised. */
  lastHiddenState(batch: TokenBatch): Promise<Tensor>;
  /** Pooled (and truncated / normalised) embeddings [B, dim], realised. */
  embed(batch: TokenBatch, post: PostProcess): Promise<Tensor>;
  dispose(): Promise<void>;
}

/** What a runtime factory is given. */
export interface RuntimeContext {
  dir: string;
  config: ConfigReader | undefined;
  /** The architecture built from config.json (weights loaded only by the `tensor` runtime). */
  backbone: Backbone | undefined;
  /** Runtime-specific options passed through from fromPretrained (e.g. `onnxFile`, `backend`). */
  options: Record<string, unknown>;
  /** Loads the backbone's weights (only the `tensor` runtime asks for them). */
  loadWeights: () => Backbone;
}

export type RuntimeFactory = (ctx: RuntimeContext) => Promise<Runtime>;

/** Inference runtimes by name: `tensor`, `onnx`; a plugin may add one (e.g. a GPU session). */
export const runtimes = new Registry<RuntimeFactory>('runtime');

declare module '@retrievals/core-tensor' {
  interface Registries {
    runtimes: Registry<RuntimeFactory>;
  }
}

export type { InputName };
