import { Registry, type Tensor } from '@retrievals/core-tensor';
import type { ConfigReader } from './config.js';
import { Module } from './modules.js';

/** Token-level inputs, int64 [B, T] each, named as Hugging Face (and its ONNX exports) name them. */
export interface ModelInputs {
  inputIds: Tensor;
  attentionMask: Tensor;
  /** Segment ids for models that have them; zeros when left out. */
  tokenTypeIds?: Tensor;
}

export type InputName = 'input_ids' | 'attention_mask' | 'token_type_ids';

/**
 * The base transformer of an embedding model (BertModel, LlamaModel, ...): token ids in, last hidden
 * states out. `forward` is pure core-tensor ops on its input tensors (position ids, masks and rotary
 * tables are computed in the graph), so the same call builds the inference graph, the training
 * graph and the graph an ONNX export lowers.
 */
export abstract class Backbone extends Module {
  abstract readonly kind: 'encoder' | 'decoder';
  abstract readonly hiddenSize: number;
  /** The longest input the position embeddings allow (undefined: no table, e.g. rotary). */
  abstract readonly maxPositions: number | undefined;
  /** The inputs `forward` reads, in the order HF ONNX exports list them. */
  abstract readonly inputNames: readonly InputName[];
  /** Last hidden states [B, T, hidden]. */
  abstract forward(inputs: ModelInputs): Tensor;
}

/** How an architecture's checkpoints are laid out, for the weight loader. */
export interface CheckpointLayout {
  /** Prefixes of task models' checkpoints (`bert.` for BertForMaskedLM, `model.` for LlamaForCausalLM). */
  prefixes: readonly string[];
  /** Stored tensors that are never an error (other heads, buffers). */
  ignore: readonly RegExp[];
  /** Children a checkpoint may leave out. */
  optionalModules: readonly string[];
}

/** Which Linear layers LoRA adapts when nobody lists them, as PEFT module-name suffixes. */
export interface LoraDefaults {
  /** Ours: every Linear of the attention and MLP blocks (the usual choice for fine-tuning embedders). */
  defaultTargets: readonly string[];
  /** PEFT's, for an adapter_config.json whose `target_modules` is null (its per-model mapping: query and value projections). */
  peftDefaultTargets: readonly string[];
}

/** One entry of the architecture registry, keyed by config.json's `model_type`. */
export interface Architecture {
  /** The config.json `model_type` it is registered under (aliases may add more). */
  name: string;
  /** Builds the module from config.json, parameters declared but not loaded; errors name the field. */
  build(config: ConfigReader): Backbone;
  layout: CheckpointLayout;
  /** Pooling when neither the caller nor a sentence-transformers config says: `cls` for encoders, `last` for decoders. */
  defaultPooling: string;
  /** LoRA's default targets; without them, applying LoRA needs explicit targetModules. */
  lora?: LoraDefaults;
}

/** The architecture registry: built-ins and plugins register here and are looked up by `model_type`. */
export const architectures = new Registry<Architecture>('architecture', { owner: '@retrievals/models' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    architectures: Registry<Architecture>;
  }
}
