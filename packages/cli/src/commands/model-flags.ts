import { backends } from '@retrievals/core-tensor';
import { AutoModelForEmbedding, type FromPretrainedOptions } from '@retrievals/models';
import type { FlagSpec } from '../flag-spec.js';
import type { Options } from '../options.js';

export const MODEL_NAME_OR_PATH: FlagSpec = { name: 'model_name_or_path', type: 'string', metavar: 'dir', help: 'a Hugging Face model folder (config.json, weights, tokenizer.json); nothing is downloaded' };
export const POOLING_METHOD: FlagSpec = { name: 'pooling_method', type: 'string', metavar: 'name', help: "pooler name (cls, mean, last, ...; default the folder's 1_Pooling config, else the architecture's)" };
export const QUERY_INSTRUCTION: FlagSpec = { name: 'query_instruction', type: 'string', metavar: 'text', allowEmpty: true, help: 'template for queries ({} marks the text, otherwise a prefix)' };
export const DOCUMENT_INSTRUCTION: FlagSpec = { name: 'document_instruction', type: 'string', metavar: 'text', allowEmpty: true, help: 'template for documents ({} marks the text, otherwise a prefix)' };
export const BACKEND: FlagSpec = { name: 'backend', type: 'string', metavar: 'name', help: 'compute backend (ort, js, or one a plugin registers; default RETRIEVALS_BACKEND, else ort)' };
export const MAX_LENGTH: FlagSpec = { name: 'max_length', type: 'int', min: 1, help: 'truncate texts to this many tokens' };
export const BATCH_SIZE: FlagSpec = { name: 'batch_size', type: 'int', min: 1, help: 'texts per encoding batch' };

/** The flags of AutoModelForEmbedding.fromPretrained that encode, eval, build-hn and export share. */
export const MODEL_FLAGS: readonly FlagSpec[] = [
  MODEL_NAME_OR_PATH,
  POOLING_METHOD,
  { name: 'normalize', type: 'bool', help: 'L2-normalise embeddings' },
  MAX_LENGTH,
  QUERY_INSTRUCTION,
  DOCUMENT_INSTRUCTION,
  { name: 'add_eos', type: 'bool', help: 'append EOS to every text (last-token pooling of decoders, as e5-mistral)' },
  { name: 'use_fp16', type: 'bool', help: 'run in float16 where the runtime supports it' },
  { name: 'runtime', type: 'string', help: 'inference runtime: tensor (safetensors weights) or onnx' },
  BACKEND,
];

/** The backend flag checked against the registry now (an unknown name lists the known ones) rather than at the first realisation. */
export function backendOf(o: Options): string | undefined {
  const name = o.string('backend');
  if (name !== undefined) backends.get(name);
  return name;
}

/** fromPretrained options of the model flags a command declares (flags it does not declare stay unset). */
export function modelOptions(o: Options, declared: ReadonlySet<string>, extra: FromPretrainedOptions = {}): FromPretrainedOptions {
  const pick = <T>(name: string, read: () => T): T | undefined => (declared.has(name) && o.given(name) ? read() : undefined);
  return {
    poolingMethod: pick('pooling_method', () => o.string('pooling_method')),
    normalize: pick('normalize', () => o.bool('normalize')),
    maxLength: pick('max_length', () => o.number('max_length')),
    queryInstruction: pick('query_instruction', () => o.string('query_instruction')),
    documentInstruction: pick('document_instruction', () => o.string('document_instruction')),
    addEos: pick('add_eos', () => o.bool('add_eos')),
    useFp16: pick('use_fp16', () => o.bool('use_fp16')),
    runtime: pick('runtime', () => o.string('runtime')),
    backend: declared.has('backend') ? backendOf(o) : undefined,
    ...extra,
  };
}

export function loadModel(o: Options, flags: readonly FlagSpec[], extra: FromPretrainedOptions = {}): Promise<AutoModelForEmbedding> {
  return AutoModelForEmbedding.fromPretrained(o.required('model_name_or_path'), modelOptions(o, new Set(flags.map((f) => f.name)), extra));
}
