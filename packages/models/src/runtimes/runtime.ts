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
  /** What it can do besides encoding: load, savePretrained and exportOnnx ask this, never its class or name. */
  readonly capabilities: RuntimeCapabilities;
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

export interface RuntimeCapabilities {
  /** It runs the backbone's weights as tensors, so savePretrained can write them (model.safetensors). */
  weights: boolean;
  /** Its forward is a core-tensor graph, so exportOnnx can lower it. */
  graph: boolean;
  /** LoRA adapters can be applied to what it runs. */
  lora: boolean;
  /**
   * For a runtime that runs a model file rather than weights: what savePretrained copies from the
   * source folder (paths relative to it) and the file to record when a reload would not find it first.
   */
  savedFiles?: (source: string) => SavedFiles;
}

export interface SavedFiles {
  copies: string[];
  file?: string;
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
export const runtimes = new Registry<RuntimeFactory>('runtime', { owner: '@retrievals/models' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    runtimes: Registry<RuntimeFactory>;
  }
}

export type { InputName };
