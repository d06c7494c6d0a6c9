import { add, positionRow, type Tensor } from '@retrievals/core-tensor';
import { type ConfigReader, MAX_LAYERS } from '../config.js';
import { activation, applyDropout, Embedding, LayerNorm, Linear, Module, ModuleList } from '../modules.js';
import { defineArchitecture } from '../define-architecture.js';
import { Backbone, type InputName, type ModelInputs } from '../registry.js';
import { attend, invSqrt, mergeHeads, paddingBias, splitHeads } from './common.js';

interface DistilBertConfig {
  vocabSize: number;
  dim: number;
  layers: number;
  heads: number;
  hiddenDim: number;
  maxPositionEmbeddings: number;
  act: string;
  dropout: number;
  attentionDropout: number;
}

function parseConfig(c: ConfigReader): DistilBertConfig {
  const cfg: DistilBertConfig = {
    vocabSize: c.int('vocab_size'),
    dim: c.int('dim'),
    layers: c.int('n_layers', undefined, 1, MAX_LAYERS),
    heads: c.int('n_heads'),
    hiddenDim: c.int('hidden_dim'),
    maxPositionEmbeddings: c.int('max_position_embeddings', 512),
    act: c.string('activation', 'gelu'),
    dropout: c.probability('dropout', 0.1),
    attentionDropout: c.probability('attention_dropout', 0.1),
  };
  c.divisible('dim', cfg.dim, cfg.heads, 'n_heads');
  activation(cfg.act, `${c.file}: field 'activation'`);
  return cfg;
}

// DistilBERT hard-codes its LayerNorm epsilon.
const EPS = 1e-12;

class Embeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    this.word_embeddings = this.addModule('word_embeddings', new Embedding(cfg.vocabSize, cfg.dim));
    // Sinusoidal or learned, the table is stored in the checkpoint either way.
    this.position_embeddings = this.addModule('position_embeddings', new Embedding(cfg.maxPositionEmbeddings, cfg.dim));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(cfg.dim, EPS));
  }

  forward(ids: Tensor): Tensor {
    const pos = positionRow(ids);
    const x = add(this.word_embeddings.forward(ids), this.position_embeddings.forward(pos));
    return applyDropout(this, this.LayerNorm.forward(x), this.cfg.dropout);
  }
}

class MultiHeadSelfAttention extends Module {
  readonly q_lin: Linear;
  readonly k_lin: Linear;
  readonly v_lin: Linear;
  readonly out_lin: Linear;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    this.q_lin = this.addModule('q_lin', new Linear(cfg.dim, cfg.dim));
    this.k_lin = this.addModule('k_lin', new Linear(cfg.dim, cfg.dim));
    this.v_lin = this.addModule('v_lin', new Linear(cfg.dim, cfg.dim));
    this.out_lin = this.addModule('out_lin', new Linear(cfg.dim, cfg.dim));
  }

  forward(x: Tensor, bias: Tensor): Tensor {
    const h = this.cfg.heads;
    const q = splitHeads(this.q_lin.forward(x), h), k = splitHeads(this.k_lin.forward(x), h), v = splitHeads(this.v_lin.forward(x), h);
    // DistilBERT scales q before the product (transformers' order of operations).
    const ctx = attend(this, q, k, v, bias, { scale: invSqrt(this.cfg.dim / h), dropout: this.cfg.attentionDropout, scaleFirst: true });
    return this.out_lin.forward(mergeHeads(ctx));
  }
}

class FFN extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    this.lin1 = this.addModule('lin1', new Linear(cfg.dim, cfg.hiddenDim));
    this.lin2 = this.addModule('lin2', new Linear(cfg.hiddenDim, cfg.dim));
    this.act = activation(cfg.act);
  }

  forward(x: Tensor): Tensor {
    return applyDropout(this, this.lin2.forward(this.act(this.lin1.forward(x))), this.cfg.dropout);
  }
}

class TransformerBlock extends Module {
  readonly attention: MultiHeadSelfAttention;
  readonly sa_layer_norm: LayerNorm;
  readonly ffn: FFN;
  readonly output_layer_norm: LayerNorm;

  constructor(cfg: DistilBertConfig) {
    super();
    this.attention = this.addModule('attention', new MultiHeadSelfAttention(cfg));
    this.sa_layer_norm = this.addModule('sa_layer_norm', new LayerNorm(cfg.dim, EPS));
    this.ffn = this.addModule('ffn', new FFN(cfg));
    this.output_layer_norm = this.addModule('output_layer_norm', new LayerNorm(cfg.dim, EPS));
  }

  forward(x: Tensor, bias: Tensor): Tensor {
    const sa = this.sa_layer_norm.forward(add(this.attention.forward(x, bias), x));
    return this.output_layer_norm.forward(add(this.ffn.forward(sa), sa));
  }
}

class Transformer extends Module {
  readonly layer: ModuleList<TransformerBlock>;

  constructor(cfg: DistilBertConfig) {
    super();
    this.layer = this.addModule('layer', new ModuleList(Array.from({ length: cfg.layers }, () => new TransformerBlock(cfg))));
  }
}

/** DistilBertModel: no token types, learned (or stored sinusoidal) absolute positions. */
export class DistilBertModel extends Backbone {
  readonly kind = 'encoder';
  readonly inputNames: readonly InputName[] = ['input_ids', 'attention_mask'];
  readonly embeddings: Embeddings;
  readonly transformer: Transformer;

  constructor(readonly config: DistilBertConfig) {
    super();
    this.embeddings = this.addModule('embeddings', new Embeddings(config));
    this.transformer = this.addModule('transformer', new Transformer(config));
  }

  get hiddenSize(): number {
    return this.config.dim;
  }

  get maxPositions(): number {
    return this.config.maxPositionEmbeddings;
  }

  forward({ inputIds, attentionMask }: ModelInputs): Tensor {
    let h = this.embeddings.forward(inputIds);
    const bias = paddingBias(attentionMask);
    for (const layer of this.transformer.layer) h = layer.forward(h, bias);
    return h;
  }
}

export const distilbertArchitecture = defineArchitecture({
  name: 'distilbert',
  build: (c) => new DistilBertModel(parseConfig(c)),
  layout: { prefixes: ['distilbert.'], ignore: [/(^|\.)position_ids$/, /^vocab_/, /^pre_classifier\./, /^classifier\./, /^qa_outputs\./], optionalModules: [] },
  defaultPooling: 'cls',
  lora: { defaultTargets: ['q_lin', 'k_lin', 'v_lin', 'out_lin', 'lin1', 'lin2'], peftDefaultTargets: ['q_lin', 'v_lin'] },
});
