import { add, concat, constant, cos, mul, permute, positionIdsFromMask, reshape, sin, type Tensor } from '@retrievals/core-tensor';
import { type ConfigReader, MAX_LAYERS } from '../config.js';
import { ConfigError } from '../errors.js';
import { activation, Embedding, Linear, Module, ModuleList, RMSNorm } from '../modules.js';
import { defineArchitecture } from '../define-architecture.js';
import { Backbone, type InputName, type ModelInputs } from '../registry.js';
import { attend, causalBias, invSqrt, splitHeads } from './common.js';
import { applyRotary, ropeInvFreq } from './rope.js';

/** What Llama, Mistral and Qwen2 read from config.json. */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediateSize: number;
  eps: number;
  act: string;
  /** Biases on q/k/v (Qwen2 always; Llama with attention_bias) and on o (Llama's attention_bias only). */
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  attentionDropout: number;
  /** Each layer's sliding window (undefined: full causal attention), as transformers resolves it. */
  windows: (number | undefined)[];
  invFreq: number[];
}

type Variant = 'llama' | 'mistral' | 'qwen2';

/**
 * Sliding windows per layer, as transformers' configs resolve them. Mistral: `sliding_window` for
 * every layer, 4096 when the key is missing (MistralConfig's default), none when it is null.
 * Qwen2: a window only with `use_sliding_window`, and then only on the layers `layer_types` marks
 * "sliding_attention", by default those from `max_window_layers` (28) on. Llama: none.
 */
function layerWindows(c: ConfigReader, variant: Variant, layers: number): (number | undefined)[] {
  if (variant === 'llama') return new Array<number | undefined>(layers).fill(undefined);
  if (variant === 'mistral') {
    const w = c.raw.sliding_window === undefined ? 4096 : c.has('sliding_window') ? c.int('sliding_window') : undefined;
    return new Array<number | undefined>(layers).fill(w);
  }
  const window = c.bool('use_sliding_window', false) && c.has('sliding_window') ? c.int('sliding_window') : undefined;
  const types = c.raw.layer_types;
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types) || types.length !== layers || types.some((t) => t !== 'sliding_attention' && t !== 'full_attention')) {
      throw new ConfigError(`${c.file}: field 'layer_types' must list "sliding_attention" or "full_attention" for each of the ${layers} layers, got ${JSON.stringify(types)}`);
    }
    return types.map((t) => (t === 'sliding_attention' ? window : undefined));
  }
  const from = c.int('max_window_layers', 28, 0, MAX_LAYERS);
  return Array.from({ length: layers }, (_, i) => (window !== undefined && i >= from ? window : undefined));
}

export function parseLlamaConfig(c: ConfigReader, variant: Variant): LlamaConfig {
  const hiddenSize = c.int('hidden_size'), heads = c.int('num_attention_heads');
  const kvHeads = c.int('num_key_value_heads', heads);
  // Bounded before ropeInvFreq builds a table of headDim / 2 numbers (real models: 64 to 256).
  const headDim = c.int('head_dim', hiddenSize / heads, 1, 8192);
  if (!c.has('head_dim')) c.divisible('hidden_size', hiddenSize, heads, 'num_attention_heads');
  c.divisible('num_attention_heads', heads, kvHeads, 'num_key_value_heads');
  if (headDim % 2) c.unsupported('head_dim', 'rotary embeddings need an even head dimension');
  const attentionBias = variant === 'llama' && c.bool('attention_bias', false);
  const layers = c.int('num_hidden_layers', undefined, 1, MAX_LAYERS);
  const cfg: LlamaConfig = {
    vocabSize: c.int('vocab_size'),
    hiddenSize,
    layers,
    heads,
    kvHeads,
    headDim,
    intermediateSize: c.int('intermediate_size'),
    eps: c.epsilon('rms_norm_eps', 1e-6),
    act: c.string('hidden_act', 'silu'),
    qkvBias: variant === 'qwen2' || attentionBias,
    oBias: attentionBias,
    mlpBias: variant === 'llama' && c.bool('mlp_bias', false),
    attentionDropout: c.probability('attention_dropout', 0),
    windows: layerWindows(c, variant, layers),
    invFreq: ropeInvFreq(c, headDim),
  };
  activation(cfg.act, `${c.file}: field 'hidden_act'`);
  return cfg;
}

class Attention extends Module {
  readonly q_proj: Linear;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly o_proj: Linear;

  constructor(private readonly cfg: LlamaConfig) {
    super();
    const { hiddenSize: d, heads, kvHeads, headDim } = cfg;
    this.q_proj = this.addModule('q_proj', new Linear(d, heads * headDim, cfg.qkvBias));
    this.k_proj = this.addModule('k_proj', new Linear(d, kvHeads * headDim, cfg.qkvBias));
    this.v_proj = this.addModule('v_proj', new Linear(d, kvHeads * headDim, cfg.qkvBias));
    this.o_proj = this.addModule('o_proj', new Linear(heads * headDim, d, cfg.oBias));
  }

  forward(x: Tensor, rope: { cos: Tensor; sin: Tensor }, bias: Tensor): Tensor {
    const { heads, kvHeads, headDim } = this.cfg;
    const [b, t] = x.shape as [number, number];
    const group = heads / kvHeads;
    const q = applyRotary(splitHeads(this.q_proj.forward(x), heads), rope.cos, rope.sin);
    const k = applyRotary(splitHeads(this.k_proj.forward(x), kvHeads), rope.cos, rope.sin);
    const v = splitHeads(this.v_proj.forward(x), kvHeads);
    // Grouped-query attention by broadcasting: query head h uses kv head ⌊h / group⌋ (repeat_kv's order).
    const ctx = attend(
      this,
      reshape(q, [b, kvHeads, group, t, headDim]),
      reshape(k, [b, kvHeads, 1, t, headDim]),
      reshape(v, [b, kvHeads, 1, t, headDim]),
      bias,
      { scale: invSqrt(headDim), dropout: this.cfg.attentionDropout },
    );
    // [B, KV, G, T, d] → [B, T, heads·d]
    const merged = reshape(permute(ctx, [0, 3, 1, 2, 4]), [b, t, heads * headDim]);
    return this.o_proj.forward(merged);
  }
}

class MLP extends Module {
  readonly gate_proj: Linear;
  readonly up_proj: Linear;
  readonly down_proj: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: LlamaConfig) {
    super();
    this.gate_proj = this.addModule('gate_proj', new Linear(cfg.hiddenSize, cfg.intermediateSize, cfg.mlpBias));
    this.up_proj = this.addModule('up_proj', new Linear(cfg.hiddenSize, cfg.intermediateSize, cfg.mlpBias));
    this.down_proj = this.addModule('down_proj', new Linear(cfg.intermediateSize, cfg.hiddenSize, cfg.mlpBias));
    this.act = activation(cfg.act);
  }

  forward(x: Tensor): Tensor {
    return this.down_proj.forward(mul(this.act(this.gate_proj.forward(x)), this.up_proj.forward(x)));
  }
}

class DecoderLayer extends Module {
  readonly self_attn: Attention;
  readonly mlp: MLP;
  readonly input_layernorm: RMSNorm;
  readonly post_attention_layernorm: RMSNorm;

  constructor(cfg: LlamaConfig) {
    super();
    this.self_attn = this.addModule('self_attn', new Attention(cfg));
    this.mlp = this.addModule('mlp', new MLP(cfg));
    this.input_layernorm = this.addModule('input_layernorm', new RMSNorm(cfg.hiddenSize, cfg.eps));
    this.post_attention_layernorm = this.addModule('post_attention_layernorm', new RMSNorm(cfg.hiddenSize, cfg.eps));
  }

  forward(x: Tensor, rope: { cos: Tensor; sin: Tensor }, bias: Tensor): Tensor {
    const h = add(x, this.self_attn.forward(this.input_layernorm.forward(x), rope, bias));
    return add(h, this.mlp.forward(this.post_attention_layernorm.forward(h)));
  }
}

/**
 * LlamaModel / MistralModel / Qwen2Model: pre-RMSNorm decoder layers with rotary embeddings,
 * grouped-query attention and a SiLU-gated MLP, under a causal + padding mask.
 */
export class LlamaModel extends Backbone {
  readonly kind = 'decoder';
  readonly inputNames: readonly InputName[] = ['input_ids', 'attention_mask'];
  readonly maxPositions = undefined;
  readonly embed_tokens: Embedding;
  readonly layers: ModuleList<DecoderLayer>;
  readonly norm: RMSNorm;

  constructor(readonly config: LlamaConfig) {
    super();
    this.embed_tokens = this.addModule('embed_tokens', new Embedding(config.vocabSize, config.hiddenSize));
    this.layers = this.addModule('layers', new ModuleList(Array.from({ length: config.layers }, () => new DecoderLayer(config))));
    this.norm = this.addModule('norm', new RMSNorm(config.hiddenSize, config.eps));
  }

  get hiddenSize(): number {
    return this.config.hiddenSize;
  }

  /**
   * Position ids from the mask, as transformers' generate() computes them (cumsum − 1, pads set to
   * 1): a left-padded text gets the positions it would have unpadded, so its embedding is the same.
   * cos/sin are computed in the graph from them ([B, 1, T, d], halves duplicated).
   */
  private rotary(mask: Tensor): { cos: Tensor; sin: Tensor } {
    const [b, t] = mask.shape as [number, number];
    const pos = positionIdsFromMask(mask, 'float32');
    const inv = this.config.invFreq;
    const angles = mul(reshape(pos, [b, t, 1]), constant(inv, 'float32', [1, 1, inv.length]));
    const emb = reshape(concat([angles, angles], -1), [b, 1, t, 2 * inv.length]);
    return { cos: cos(emb), sin: sin(emb) };
  }

  forward({ inputIds, attentionMask }: ModelInputs): Tensor {
    let h = this.embed_tokens.forward(inputIds);
    const rope = this.rotary(attentionMask);
    // One mask per distinct window (usually one), shared by the layers that use it.
    const biases = new Map<number | undefined, Tensor>();
    const biasFor = (w: number | undefined) => biases.get(w) ?? biases.set(w, causalBias(attentionMask, w)).get(w)!;
    [...this.layers].forEach((layer, i) => (h = layer.forward(h, rope, biasFor(this.config.windows[i]))));
    return this.norm.forward(h);
  }
}

const layout = {
  prefixes: ['model.'],
  ignore: [/^lm_head\./, /^score\./, /rotary_emb\.inv_freq$/],
  optionalModules: [],
};

/** llama, mistral and qwen2: one module, the variant telling parseLlamaConfig which fields it has. */
export const llamaArchitectures = (['llama', 'mistral', 'qwen2'] as const).map((variant) =>
  defineArchitecture({
    name: variant,
    build: (c) => new LlamaModel(parseLlamaConfig(c, variant)),
    layout,
    defaultPooling: 'last',
    lora: { defaultTargets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], peftDefaultTargets: ['q_proj', 'v_proj'] },
  }),
);
