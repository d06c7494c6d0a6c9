import { add, fullLike, positionRow, type Tensor } from '@retrievals/core-tensor';
import { type ConfigReader, MAX_LAYERS } from '../config.js';
import { activation, applyDropout, Embedding, LayerNorm, Linear, Module, ModuleList } from '../modules.js';
import { defineArchitecture } from '../define-architecture.js';
import { Backbone, type InputName, type LoraDefaults, type ModelInputs } from '../registry.js';
import { attend, invSqrt, mergeHeads, paddingBias, splitHeads } from './common.js';

/** The config.json fields BERT-family encoders read (BERT, RoBERTa, XLM-R). */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  eps: number;
  act: string;
  hiddenDropout: number;
  attentionDropout: number;
  padTokenId: number | undefined;
}

export function parseBertConfig(c: ConfigReader): BertConfig {
  const cfg: BertConfig = {
    vocabSize: c.int('vocab_size'),
    hiddenSize: c.int('hidden_size'),
    layers: c.int('num_hidden_layers', undefined, 1, MAX_LAYERS),
    heads: c.int('num_attention_heads'),
    intermediateSize: c.int('intermediate_size'),
    maxPositionEmbeddings: c.int('max_position_embeddings', 512),
    typeVocabSize: c.int('type_vocab_size', 2),
    eps: c.epsilon('layer_norm_eps', 1e-12),
    act: c.string('hidden_act', 'gelu'),
    hiddenDropout: c.probability('hidden_dropout_prob', 0.1),
    attentionDropout: c.probability('attention_probs_dropout_prob', 0.1),
    padTokenId: c.optionalInt('pad_token_id'),
  };
  c.divisible('hidden_size', cfg.hiddenSize, cfg.heads, 'num_attention_heads');
  if (c.has('position_embedding_type') && c.raw.position_embedding_type !== 'absolute') {
    c.unsupported('position_embedding_type', 'only "absolute" position embeddings are implemented');
  }
  activation(cfg.act, `${c.file}: field 'hidden_act'`);
  // transformers makes such a model causal (and adds cross-attention): not an embedding encoder.
  if (c.bool('is_decoder', false)) c.unsupported('is_decoder', 'a causal BERT/RoBERTa decoder is not implemented: embedding models are encoders');
  if (c.bool('add_cross_attention', false)) c.unsupported('add_cross_attention', 'cross-attention layers are not implemented');
  return cfg;
}

class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;

  constructor(private readonly cfg: BertConfig) {
    super();
    this.word_embeddings = this.addModule('word_embeddings', new Embedding(cfg.vocabSize, cfg.hiddenSize));
    this.position_embeddings = this.addModule('position_embeddings', new Embedding(cfg.maxPositionEmbeddings, cfg.hiddenSize));
    this.token_type_embeddings = this.addModule('token_type_embeddings', new Embedding(cfg.typeVocabSize, cfg.hiddenSize));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(cfg.hiddenSize, cfg.eps));
  }

  forward(ids: Tensor, positionIds: Tensor, typeIds: Tensor): Tensor {
    // (word + token type) + position, in transformers' order of additions
    const x = add(add(this.word_embeddings.forward(ids), this.token_type_embeddings.forward(typeIds)), this.position_embeddings.forward(positionIds));
    return applyDropout(this, this.LayerNorm.forward(x), this.cfg.hiddenDropout);
  }
}

class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;

  constructor(private readonly cfg: BertConfig) {
    super();
    this.query = this.addModule('query', new Linear(cfg.hiddenSize, cfg.hiddenSize));
    this.key = this.addModule('key', new Linear(cfg.hiddenSize, cfg.hiddenSize));
    this.value = this.addModule('value', new Linear(cfg.hiddenSize, cfg.hiddenSize));
  }

  forward(x: Tensor, bias: Tensor): Tensor {
    const h = this.cfg.heads;
    const q = splitHeads(this.query.forward(x), h), k = splitHeads(this.key.forward(x), h), v = splitHeads(this.value.forward(x), h);
    const scale = invSqrt(this.cfg.hiddenSize / h);
    return mergeHeads(attend(this, q, k, v, bias, { scale, dropout: this.cfg.attentionDropout }));
  }
}

/** dense → dropout → LayerNorm(· + residual): BertSelfOutput and BertOutput alike. */
class DenseResidualNorm extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;

  constructor(inDim: number, private readonly cfg: BertConfig) {
    super();
    this.dense = this.addModule('dense', new Linear(inDim, cfg.hiddenSize));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(cfg.hiddenSize, cfg.eps));
  }

  forward(x: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(add(applyDropout(this, this.dense.forward(x), this.cfg.hiddenDropout), residual));
  }
}

class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: DenseResidualNorm;

  constructor(cfg: BertConfig) {
    super();
    this.self = this.addModule('self', new BertSelfAttention(cfg));
    this.output = this.addModule('output', new DenseResidualNorm(cfg.hiddenSize, cfg));
  }

  forward(x: Tensor, bias: Tensor): Tensor {
    return this.output.forward(this.self.forward(x, bias), x);
  }
}

class BertIntermediate extends Module {
  readonly dense: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: BertConfig) {
    super();
    this.dense = this.addModule('dense', new Linear(cfg.hiddenSize, cfg.intermediateSize));
    this.act = activation(cfg.act);
  }

  forward(x: Tensor): Tensor {
    return this.act(this.dense.forward(x));
  }
}

class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: DenseResidualNorm;

  constructor(cfg: BertConfig) {
    super();
    this.attention = this.addModule('attention', new BertAttention(cfg));
    this.intermediate = this.addModule('intermediate', new BertIntermediate(cfg));
    this.output = this.addModule('output', new DenseResidualNorm(cfg.intermediateSize, cfg));
  }

  forward(x: Tensor, bias: Tensor): Tensor {
    const a = this.attention.forward(x, bias);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;

  constructor(cfg: BertConfig) {
    super();
    this.layer = this.addModule('layer', new ModuleList(Array.from({ length: cfg.layers }, () => new BertLayer(cfg))));
  }
}

/** BERT's pooler (dense + tanh on [CLS]): kept so checkpoints round-trip; embeddings use the poolers registry instead. */
class BertPooler extends Module {
  readonly dense: Linear;

  constructor(cfg: BertConfig) {
    super();
    this.dense = this.addModule('dense', new Linear(cfg.hiddenSize, cfg.hiddenSize));
  }
}

/** BertModel: embeddings → encoder layers (post-LayerNorm). Parameter names are transformers' own. */
export class BertModel extends Backbone {
  readonly kind = 'encoder';
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | undefined;
  readonly inputNames: readonly InputName[] = ['input_ids', 'attention_mask', 'token_type_ids'];

  constructor(readonly config: BertConfig) {
    super();
    this.embeddings = this.addModule('embeddings', new BertEmbeddings(config));
    this.encoder = this.addModule('encoder', new BertEncoder(config));
    this.pooler = this.addModule('pooler', new BertPooler(config));
  }

  get hiddenSize(): number {
    return this.config.hiddenSize;
  }

  get maxPositions(): number | undefined {
    return this.config.maxPositionEmbeddings;
  }

  /** Absolute positions 0..T-1 ([1, T], broadcast over the batch). */
  protected positionIds(inputIds: Tensor): Tensor {
    return positionRow(inputIds);
  }

  forward({ inputIds, attentionMask, tokenTypeIds }: ModelInputs): Tensor {
    const types = tokenTypeIds ?? fullLike(inputIds, 0, 'int64');
    let h = this.embeddings.forward(inputIds, this.positionIds(inputIds), types);
    const bias = paddingBias(attentionMask);
    for (const layer of this.encoder.layer) h = layer.forward(h, bias);
    return h;
  }
}

/** Heads and buffers found next to BERT-family encoders in task checkpoints. */
export const ENCODER_IGNORE = [/(^|\.)position_ids$/, /^cls\./, /^lm_head\./, /^classifier\./, /^qa_outputs\./];

/**
 * Never BERT's pooler (loaded but unused by embedding poolers, so an adapter there would train
 * nothing). `output.dense` covers both `attention.output.dense` and the layer's `output.dense`, but
 * not `pooler.dense`, and selects the same layers in Python's PEFT.
 */
export const BERT_LORA: LoraDefaults = { defaultTargets: ['query', 'key', 'value', 'output.dense', 'intermediate.dense'], peftDefaultTargets: ['query', 'value'] };

export const bertArchitecture = defineArchitecture({
  name: 'bert',
  build: (c) => new BertModel(parseBertConfig(c)),
  layout: { prefixes: ['bert.'], ignore: ENCODER_IGNORE, optionalModules: ['pooler'] },
  defaultPooling: 'cls',
  lora: BERT_LORA,
});
