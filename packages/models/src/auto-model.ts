import { checks, opt, type OptionSpec, parseOptions, RetrievalsError, type Tensor } from '@retrievals/core-tensor';
import type { Pooler } from '@retrievals/pooling';
import { BackgroundTokenizer } from './background-tokenizer.js';
import { lengthSortedBatches, padBatch, pipelineBatches, type TokenBatch } from './batching.js';
import type { ConfigReader } from './config.js';
import { exportOnnx, type ExportOnnxOptions } from './export-onnx.js';
import { EmbeddingMatrix, nonFiniteRows, PRECISIONS, type EmbeddingArray, type Precision } from './embeddings.js';
import { applyInstruction, documentText, type CorpusDocument } from './instructions.js';
import { loadPretrained, type FromPretrainedOptions, type LoadedModel } from './load.js';
import { Progress, type ProgressStream } from './progress.js';
import { savePretrained } from './save-pretrained.js';
import { quantizeEmbeddings, type QuantizationRanges } from './quantize.js';
import type { Backbone } from './registry.js';
import { finishEmbeddings, type Runtime } from './runtimes/runtime.js';
import type { Encoded, TextTokenizer } from './tokenizer.js';

export interface EncodeOptions {
  /** Texts per forward pass (default: the model's, 32). */
  batchSize?: number;
  /** L2-normalise (default: the model's `normalize`). */
  normalize?: boolean;
  /** Keep the first n dimensions (Matryoshka), before normalising. */
  truncateDim?: number;
  /** sentence-transformers' quantize_embeddings precisions; int8/uint8 ranges come from this call's embeddings unless given. */
  precision?: Precision;
  ranges?: QuantizationRanges;
  /** A bar on a terminal, plain lines otherwise (stderr unless `progressStream`). */
  showProgress?: boolean;
  progressStream?: ProgressStream;
  /** Override the model's maxLength for this call. */
  maxLength?: number;
}

export type { FromPretrainedOptions };

const ENCODE_OPTIONS: Record<keyof EncodeOptions, OptionSpec<unknown>> = {
  batchSize: opt(undefined, checks.positiveInteger),
  normalize: opt(undefined, checks.boolean),
  truncateDim: opt(undefined, checks.positiveInteger),
  precision: opt(undefined, checks.oneOf(...PRECISIONS)),
  ranges: opt(undefined, checks.anything),
  showProgress: opt(undefined, checks.boolean),
  progressStream: opt(undefined, checks.anything),
  maxLength: opt(undefined, checks.positiveInteger),
};

/**
 * A text embedding model loaded from a local Hugging Face folder, as open-retrievals'
 * AutoModelForEmbedding: `encode` for any texts, `encodeQueries` / `encodeCorpus` with the model's
 * instructions. Also the entry point for training: `tokenize` + `forward` give differentiable
 * embeddings, and `backbone` is the module tree (named parameters, swappable children).
 */
export class AutoModelForEmbedding {
  readonly dir: string;
  readonly config: ConfigReader | undefined;
  /** The core-tensor module (tensor runtime only). */
  readonly backbone: Backbone | undefined;
  readonly tokenizer: TextTokenizer;
  readonly runtime: Runtime;
  readonly poolingMethod: string;
  readonly pooler: Pooler;
  readonly normalize: boolean;
  readonly maxLength: number;
  readonly weightPrefix: string | undefined;
  /** The templates encodeQueries / encodeCorpus apply: the options', else the folder's (savePretrained writes them back). */
  readonly queryInstruction: string | undefined;
  readonly documentInstruction: string | undefined;
  /** Append EOS when the post-processor does not (the option, else the folder's). */
  readonly addEos: boolean;
  /** Lowercase texts before tokenizing, as sentence-transformers does when sentence_bert_config.json says do_lower_case. */
  readonly doLowerCase: boolean;
  /** The options as given to fromPretrained; the resolved settings are the fields above. */
  readonly options: FromPretrainedOptions;
  private background: BackgroundTokenizer | undefined;

  private constructor(loaded: LoadedModel, options: FromPretrainedOptions) {
    this.dir = loaded.dir;
    this.config = loaded.config;
    this.backbone = loaded.backbone;
    this.tokenizer = loaded.tokenizer;
    this.runtime = loaded.runtime;
    this.poolingMethod = loaded.poolingMethod;
    this.pooler = loaded.pooler;
    this.normalize = loaded.normalize;
    this.maxLength = loaded.maxLength;
    this.weightPrefix = loaded.weightPrefix;
    this.queryInstruction = loaded.queryInstruction;
    this.documentInstruction = loaded.documentInstruction;
    this.addEos = loaded.addEos;
    this.doLowerCase = loaded.doLowerCase;
    this.options = options;
  }

  /** Loads a local folder (never downloads). See FromPretrainedOptions for what each option does. */
  static async fromPretrained(path: string, options: FromPretrainedOptions = {}): Promise<AutoModelForEmbedding> {
    return new AutoModelForEmbedding(await loadPretrained(path, options), options);
  }

  /**
   * The tensors an optimizer should train, as `model.parameters()` in PyTorch: every backbone
   * parameter, or, once some are marked trainable and others frozen (applyLora freezes the base),
   * only the trainable ones.
   */
  parameters(): Tensor[] {
    if (!this.backbone) throw new RetrievalsError(`parameters: the '${this.runtime.name}' runtime holds no trainable weights; load the model from safetensors`);
    const all = this.backbone.parameters();
    const trainable = all.filter((p) => p.requiresGrad);
    return trainable.length ? trainable : all;
  }

  get hiddenSize(): number | undefined {
    return this.backbone?.hiddenSize;
  }

  /** Tokenizes, truncates and pads texts into one batch (sequence length bucketed to a multiple of 8). */
  tokenize(texts: readonly string[], options: { maxLength?: number; paddingSide?: 'left' | 'right' } = {}): TokenBatch {
    const maxLength = options.maxLength ?? this.maxLength;
    return this.pad(this.prepare(texts).map((t) => this.tokenizer.encodeRaw(t, maxLength)), options);
  }

  /** Texts as the tokenizer gets them (lowercased when the folder says so). */
  private prepare(texts: readonly string[]): string[] {
    return this.doLowerCase ? texts.map((t) => t.toLowerCase()) : [...texts];
  }

  /** Truncates (and adds EOS to) raw encodings, then pads them into a batch. */
  private pad(raw: readonly Encoded[], options: { maxLength?: number; paddingSide?: 'left' | 'right' }): TokenBatch {
    const maxLength = options.maxLength ?? this.maxLength;
    const encoded = raw.map((r) => this.tokenizer.fit(r, { maxLength, addEos: this.addEos }));
    const fixed = this.runtime.fixedShape;
    return padBatch(encoded, {
      padId: this.tokenizer.padId,
      side: options.paddingSide ?? this.options.paddingSide ?? this.tokenizer.paddingSide,
      maxPositions: this.backbone?.maxPositions,
      length: fixed?.sequence,
      rows: fixed?.batch,
    });
  }

  /** Pooled embeddings as a lazy, differentiable tensor [B, H] (tensor runtime): the training forward. */
  forward(batch: TokenBatch, options: { normalize?: boolean } = {}): Tensor {
    if (!this.backbone) throw new RetrievalsError(`forward needs the tensor runtime (this model runs on '${this.runtime.name}')`);
    const uses = this.backbone.inputNames.includes('token_type_ids');
    const hidden = this.backbone.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: uses ? batch.tokenTypeIds : undefined });
    return finishEmbeddings(hidden, batch.attentionMask, { pooler: this.pooler, normalize: options.normalize ?? false });
  }

  /** Last hidden states [B, T, H] of a batch, realised, on whichever runtime the model uses. */
  lastHiddenState(batch: TokenBatch): Promise<Tensor> {
    return this.runtime.lastHiddenState(batch);
  }

  /** Embeds one text (→ one vector) or many (→ a matrix, rows in the order given). */
  encode(text: string, options?: EncodeOptions): Promise<EmbeddingArray>;
  encode(texts: readonly string[], options?: EncodeOptions): Promise<EmbeddingMatrix>;
  async encode(input: string | readonly string[], options: EncodeOptions = {}): Promise<EmbeddingArray | EmbeddingMatrix> {
    const single = typeof input === 'string';
    const texts = single ? [input] : [...input];
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new RetrievalsError(`encode: text ${i} is ${t === null ? 'null' : typeof t}, expected a string`);
    });
    const matrix = await this.encodeAll(this.prepare(texts), options);
    return single ? matrix.row(0) : matrix;
  }

  /** Queries through `queryInstruction`. */
  encodeQueries(query: string, options?: EncodeOptions): Promise<EmbeddingArray>;
  encodeQueries(queries: readonly string[], options?: EncodeOptions): Promise<EmbeddingMatrix>;
  encodeQueries(input: string | readonly string[], options: EncodeOptions = {}): Promise<EmbeddingArray | EmbeddingMatrix> {
    const tpl = this.queryInstruction;
    return typeof input === 'string' ? this.encode(applyInstruction(tpl, input), options) : this.encode(input.map((q) => applyInstruction(tpl, q)), options);
  }

  /** Documents (strings or `{ title, text }`) through `documentInstruction`. */
  encodeCorpus(doc: CorpusDocument, options?: EncodeOptions): Promise<EmbeddingArray>;
  encodeCorpus(docs: readonly CorpusDocument[], options?: EncodeOptions): Promise<EmbeddingMatrix>;
  async encodeCorpus(input: CorpusDocument | readonly CorpusDocument[], options: EncodeOptions = {}): Promise<EmbeddingArray | EmbeddingMatrix> {
    const tpl = this.documentInstruction;
    const one = (d: CorpusDocument, i?: number) => applyInstruction(tpl, documentText(d, ' ', i === undefined ? 'encodeCorpus' : `encodeCorpus: document ${i}`));
    return Array.isArray(input) ? this.encode((input as readonly CorpusDocument[]).map(one), options) : this.encode(one(input as CorpusDocument), options);
  }

  private async encodeAll(texts: string[], options: EncodeOptions): Promise<EmbeddingMatrix> {
    parseOptions({ kind: 'encode', name: 'options' }, options, ENCODE_OPTIONS);
    const batchSize = Math.min(options.batchSize ?? this.options.batchSize ?? 32, this.runtime.fixedShape?.batch ?? Infinity);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RetrievalsError(`encode: batchSize must be a positive integer, got ${options.batchSize}`);
    const { truncateDim } = options;
    if (truncateDim !== undefined && (!Number.isInteger(truncateDim) || truncateDim < 1 || (this.hiddenSize !== undefined && truncateDim > this.hiddenSize))) {
      throw new RetrievalsError(`encode: truncateDim must be an integer in [1, ${this.hiddenSize ?? 'hidden size'}], got ${truncateDim}`);
    }
    const post = { pooler: this.pooler, truncateDim, normalize: options.normalize ?? this.normalize };
    const groups = lengthSortedBatches(texts, batchSize);
    const progress = options.showProgress ? new Progress('encode', groups.length, options.progressStream) : undefined;
    let dim = truncateDim ?? this.hiddenSize ?? 0;
    let out = new Float32Array(texts.length * dim);
    // Every batch is tokenized in a worker: batch i+1 while batch i runs, and under a time limit, so
    // a tokenizer that never ends fails naming its file instead of hanging the process.
    const bg = (this.background ??= new BackgroundTokenizer(this.tokenizer, this.options.tokenizeTimeoutMs));
    const maxLength = options.maxLength ?? this.maxLength;
    await pipelineBatches(
      groups,
      async (idx) => this.pad(await bg.encodeRaw(idx.map((i) => texts[i]!), maxLength), { maxLength }),
      async (batch, idx) => {
        const e = await this.runtime.embed(batch, post);
        const d = e.shape[1]!;
        if (d !== dim) [dim, out] = [d, new Float32Array(texts.length * d)]; // hidden size unknown before the first batch (onnx without config)
        const data = e.dataSync() as Float32Array;
        idx.forEach((orig, r) => out.set(data.subarray(r * d, (r + 1) * d), orig * d));
      },
      progress && ((done) => progress.update(done)),
    );
    const bad = this.options.allowNonFinite ? [] : nonFiniteRows(out, dim);
    if (bad.length) {
      throw new RetrievalsError(
        `${this.dir}: ${bad.length} of ${texts.length} embeddings hold NaN or Inf (rows ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', ...' : ''}); ` +
          'the weights or the inputs are not finite. Pass allowNonFinite: true to fromPretrained to get them anyway',
      );
    }
    const matrix = new EmbeddingMatrix(out, [texts.length, dim]);
    const precision = options.precision ?? 'float32';
    return precision === 'float32' ? matrix : quantizeEmbeddings(matrix, precision, { ranges: options.ranges });
  }

  /** Writes a Hugging Face folder plus sentence-transformers' module files (pooling, prompts, normalisation, max length). */
  savePretrained(dir: string): Promise<void> {
    return savePretrained(this, dir);
  }

  /** Exports the transformer to `<dir>/onnx/model.onnx` (dynamic batch and sequence); returns the file written. */
  exportOnnx(dir: string, options: ExportOnnxOptions = {}): Promise<string> {
    return exportOnnx(this, dir, options);
  }

  /** Releases native resources (an ONNX session) and the tokenizer worker. */
  async dispose(): Promise<void> {
    await this.background?.close();
    await this.runtime.dispose();
  }
}
