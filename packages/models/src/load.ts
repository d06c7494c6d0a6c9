import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendForPrecision, checks, confinedPath, opt, type ComputePrecision, type OptionCheck, type OptionSpec, parseOptions, resolveBackend } from '@retrievals/core-tensor';
import { getPooler, type Pooler } from '@retrievals/pooling';
import { ConfigReader } from './config.js';
import { ConfigError, ModelNotFoundError } from './errors.js';
import { resolveModelFolder } from './folder.js';
import { loadWeights, type StorageDType } from './load-weights.js';
import { loadAdapter } from './lora/index.js';
import { architectures, type Architecture, type Backbone } from './registry.js';
import { defaultRuntime, WEIGHTS_RUNTIME } from './runtimes/defaults.js';
import { runtimes, type Runtime } from './runtimes/runtime.js';
import { readSentenceTransformersDefaults } from './sentence-transformers.js';
import { TextTokenizer } from './tokenizer.js';
import { Checkpoint } from './weights.js';

export interface FromPretrainedOptions {
  /** A pooler name (`cls`, `mean`, `last`, ...); default: the folder's sentence-transformers config, else `cls` for encoders and `last` for decoders. */
  poolingMethod?: string;
  /** Longest input in tokens; default sentence_bert_config.json's max_seq_length, else min(position table, tokenizer_config's model_max_length). */
  maxLength?: number;
  /** L2-normalise embeddings (default: false, or true when the folder has a sentence-transformers Normalize module). */
  normalize?: boolean;
  /** Template for `encodeQueries`: `{}` is replaced by the query; without `{}` it is a prefix. Default: the folder's (sentence-transformers' `query` prompt, or ours). */
  queryInstruction?: string;
  /** Template for `encodeCorpus`, as queryInstruction. */
  documentInstruction?: string;
  /** Same as dtype: 'float16'. On CPU this only halves the weights' memory; compute stays float32. */
  useFp16?: boolean;
  /** How weights are kept in memory (default float32). float16/bfloat16 are cast to float32 in the graph. */
  dtype?: StorageDType;
  /** `tensor` (core-tensor graph from safetensors) or `onnx` (an existing export); default: `tensor` when safetensors exist, else `onnx`. */
  runtime?: string;
  /** ONNX file inside the folder (default: the one a savePretrained folder records, else onnx/model.onnx, then model.onnx). */
  onnxFile?: string;
  /** core-tensor backend for the tensor runtime (`ort`, `js`); default: the process-wide one. */
  backend?: string;
  /**
   * The matmuls' arithmetic on the tensor runtime: 'bf16' runs on the backend's bf16 sibling
   * (`onednn` → `onednn-bf16`) or any registered bf16 backend, and fails naming what is registered
   * when there is none. Not `precision`: that is encode's option for the embeddings' type.
   */
  computePrecision?: ComputePrecision;
  /** A LoRA adapter folder to apply on load. */
  lora?: string;
  /** Append EOS when the tokenizer's post-processor does not (for last-token pooling, if the model card asks for it). */
  addEos?: boolean;
  /** Override tokenizer_config.json's padding_side. Results do not depend on it; it only changes the layout. */
  paddingSide?: 'left' | 'right';
  /** Default batch size of encode (32, as sentence-transformers). */
  batchSize?: number;
  /** How long tokenizing one batch may take before it is stopped with an error naming tokenizer.json (default 30 s). */
  tokenizeTimeoutMs?: number;
  /** Return NaN/Inf embeddings instead of failing (default false: a non-finite row is an error naming the model and the rows). */
  allowNonFinite?: boolean;
}

/** Everything fromPretrained assembles. */
export interface LoadedModel {
  dir: string;
  config: ConfigReader | undefined;
  architecture: Architecture | undefined;
  backbone: Backbone | undefined;
  tokenizer: TextTokenizer;
  runtime: Runtime;
  poolingMethod: string;
  pooler: Pooler;
  normalize: boolean;
  maxLength: number;
  /** The checkpoint's prefix ('' or e.g. 'bert.'), for saving in the same layout. */
  weightPrefix: string | undefined;
  queryInstruction: string | undefined;
  documentInstruction: string | undefined;
  addEos: boolean;
  /** Lowercase texts before tokenizing (sentence-transformers' do_lower_case). */
  doLowerCase: boolean;
}

/** Every id the tokenizer can produce must have a row in the embedding table (config.json's vocab_size). */
function checkVocabulary(tokenizer: TextTokenizer, config: ConfigReader | undefined): void {
  const rows = config?.raw.vocab_size;
  if (typeof rows !== 'number') return;
  const { id, token } = tokenizer.maxId();
  if (id >= rows) {
    throw new ConfigError(`${tokenizer.file}: token ${JSON.stringify(token)} has id ${id}, but ${config!.file} field 'vocab_size' is ${rows} (embedding rows 0..${rows - 1}): the tokenizer does not belong to this model`);
  }
}

function unknownArchitecture(config: ConfigReader): ConfigError {
  return new ConfigError(`${config.file}: field 'model_type' is '${config.string('model_type')}', which is not supported; known: ${architectures.list().join(', ')}`);
}

const str: OptionCheck = (v) => (typeof v === 'string' ? undefined : 'a string');
const FROM_PRETRAINED: Record<keyof FromPretrainedOptions, OptionSpec<unknown>> = {
  poolingMethod: opt(undefined, checks.nonEmptyString),
  maxLength: opt(undefined, checks.positiveInteger),
  normalize: opt(undefined, checks.boolean),
  queryInstruction: opt(undefined, str),
  documentInstruction: opt(undefined, str),
  useFp16: opt(undefined, checks.boolean),
  dtype: opt(undefined, checks.oneOf('float32', 'float16', 'bfloat16')),
  runtime: opt(undefined, checks.nonEmptyString),
  onnxFile: opt(undefined, checks.nonEmptyString),
  backend: opt(undefined, checks.nonEmptyString),
  computePrecision: opt(undefined, checks.oneOf('fp32', 'bf16')),
  lora: opt(undefined, checks.nonEmptyString),
  addEos: opt(undefined, checks.boolean),
  paddingSide: opt(undefined, checks.oneOf('left', 'right')),
  batchSize: opt(undefined, checks.positiveInteger),
  tokenizeTimeoutMs: opt(undefined, checks.positive),
  allowNonFinite: opt(undefined, checks.boolean),
};

export async function loadPretrained(path: string, opts: FromPretrainedOptions): Promise<LoadedModel> {
  // Every option checked now, by name and value: a misspelt or NaN one fails here, not at the first encode.
  parseOptions({ kind: 'fromPretrained', name: 'options' }, opts, FROM_PRETRAINED);
  const dir = resolveModelFolder(path);
  // The folder's own settings (sentence-transformers files and ours) are defaults; options win.
  const st = readSentenceTransformersDefaults(dir);
  const onnxFile = opts.onnxFile ?? st.onnxFile;
  if (onnxFile !== undefined) confinedPath(dir, onnxFile, opts.onnxFile !== undefined ? 'fromPretrained: option onnxFile' : `${dir}: config_sentence_transformers.json field 'retrievals.onnx_file'`);
  const runtimeName = opts.runtime ?? defaultRuntime(dir, onnxFile);
  if (!runtimeName) throw new ModelNotFoundError(`${dir}: no weights found (model.safetensors, model.safetensors.index.json or onnx/model.onnx)`);
  const factory = runtimes.get(runtimeName);
  if (opts.computePrecision !== undefined && runtimeName !== WEIGHTS_RUNTIME) throw new ConfigError(`fromPretrained: computePrecision '${opts.computePrecision}' needs the tensor runtime (safetensors weights); the '${runtimeName}' runtime runs its file as it is`);
  const backend = opts.computePrecision === undefined ? opts.backend : backendForPrecision(opts.computePrecision, opts.backend);

  const configFile = join(dir, 'config.json');
  const config = existsSync(configFile) ? ConfigReader.fromFile(configFile) : undefined;
  // A runtime that runs a file needs the architecture only for its kind and position limit, so an
  // unknown model_type is fine there; one that runs the weights must build it (in loadWeights).
  let architecture: Architecture | undefined, backbone: Backbone | undefined;
  if (config && architectures.has(String(config.raw.model_type))) {
    architecture = architectures.get(config.string('model_type'));
    backbone = architecture.build(config);
  }

  const dtype: StorageDType = opts.dtype ?? (opts.useFp16 ? 'float16' : 'float32');
  if (!['float32', 'float16', 'bfloat16'].includes(dtype)) throw new ConfigError(`fromPretrained: dtype must be float32, float16 or bfloat16, got ${JSON.stringify(dtype)}`);
  if (dtype === 'bfloat16' && resolveBackend(backend).name === 'ort') {
    // Weights are graph inputs, and onnxruntime-node 1.30 rejects bfloat16 inputs ("Unsupported data type: 16").
    throw new ConfigError("fromPretrained: dtype 'bfloat16' cannot be kept in memory on the ort backend (onnxruntime-node takes no bfloat16 inputs); use 'float16' or 'float32' — a bfloat16 checkpoint loads as float32 by default");
  }
  // Before any weights are read: a tokenizer that does not fit the model fails first, and cheaply.
  const eos = config?.raw.eos_token_id;
  const tokenizer = TextTokenizer.fromFolder(dir, {
    padTokenId: typeof config?.raw.pad_token_id === 'number' ? config.raw.pad_token_id : undefined,
    eosTokenId: typeof eos === 'number' ? eos : Array.isArray(eos) && typeof eos[0] === 'number' ? eos[0] : undefined,
  });
  checkVocabulary(tokenizer, config);
  let weightPrefix: string | undefined;
  const runtime = await factory({
    dir,
    config,
    backbone,
    options: { onnxFile, backend },
    loadWeights: () => {
      if (!config) throw new ModelNotFoundError(`${dir}: config.json not found`);
      if (!backbone || !architecture) throw unknownArchitecture(config);
      const ckpt = Checkpoint.open(dir);
      try {
        weightPrefix = loadWeights(backbone, ckpt, { ...architecture.layout, dtype }).prefix;
      } finally {
        ckpt.close();
      }
      return backbone;
    },
  });

  if (opts.lora !== undefined) {
    if (!runtime.capabilities.lora || !backbone) throw new ConfigError(`fromPretrained: a LoRA adapter (the 'lora' option) needs the ${WEIGHTS_RUNTIME} runtime, not '${runtimeName}'`);
    loadAdapter(backbone, resolveModelFolder(opts.lora));
  }


  const poolingMethod = opts.poolingMethod ?? st.poolingMethod ?? architecture?.defaultPooling ?? 'cls';
  const pooler = getPooler(poolingMethod);

  const limits = [backbone?.maxPositions, tokenizer.modelMaxLength, runtime.fixedShape?.sequence].filter((v): v is number => v !== undefined);
  const hardLimit = Math.min(...[backbone?.maxPositions, runtime.fixedShape?.sequence].filter((v): v is number => v !== undefined));
  // A folder's max_seq_length beyond the position table is clamped (sentence-transformers would fail on long texts); an explicit one is an error.
  const maxLength = opts.maxLength ?? (st.maxLength !== undefined ? Math.min(st.maxLength, hardLimit) : limits.length ? Math.min(...limits) : 512);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new ConfigError(`fromPretrained: maxLength must be a positive integer, got ${maxLength}`);
  if (maxLength > hardLimit) throw new ConfigError(`fromPretrained: maxLength ${maxLength} exceeds what the model takes (${hardLimit} positions)`);

  return {
    dir, config, architecture, backbone, tokenizer, runtime, poolingMethod, pooler, maxLength, weightPrefix,
    normalize: opts.normalize ?? st.normalize ?? false,
    queryInstruction: opts.queryInstruction ?? st.queryInstruction,
    documentInstruction: opts.documentInstruction ?? st.documentInstruction,
    addEos: opts.addEos ?? st.addEos ?? false,
    doLowerCase: st.doLowerCase ?? false,
  };
}
