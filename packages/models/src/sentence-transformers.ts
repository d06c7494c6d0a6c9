import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { poolers } from '@retrievals/pooling';
import { confinedPath } from '@retrievals/core-tensor';
import { readJson, readJsonFile } from './config.js';
import { ConfigError } from './errors.js';
import { instructionAsPrompt } from './instructions.js';

/** sentence-transformers' pooling flags and the pooler names they mean here. */
export const POOLING_FLAGS: Record<string, string> = {
  pooling_mode_cls_token: 'cls',
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_sqrt_len_tokens: 'mean_sqrt_len',
  pooling_mode_weightedmean_tokens: 'weightedmean',
  pooling_mode_lasttoken: 'last',
};

/**
 * The sentence-transformers flag of a pooler name, through the registry so aliases (`avg`, `eos`,
 * a plugin's alias of a built-in) find their flag; undefined for a pooler sentence-transformers lacks.
 */
export function poolingFlagOf(name: string): string | undefined {
  if (!poolers.has(name)) return undefined;
  const factory = poolers.get(name);
  return Object.keys(POOLING_FLAGS).find((flag) => poolers.get(POOLING_FLAGS[flag]!) === factory);
}

/** Our own key in config_sentence_transformers.json, for what sentence-transformers cannot say (it keeps unknown keys and ignores them). */
export const RETRIEVALS_KEY = 'retrievals';

/** The prompt names sentence-transformers' encode_query / encode_document look for, in its order (then nomic's names). */
const QUERY_PROMPTS = ['query', 'search_query'];
const DOCUMENT_PROMPTS = ['document', 'passage', 'corpus', 'search_document'];

export interface SentenceTransformersDefaults {
  poolingMethod?: string;
  normalize?: boolean;
  /** sentence_bert_config.json's max_seq_length. */
  maxLength?: number;
  queryInstruction?: string;
  documentInstruction?: string;
  /** sentence_bert_config.json's do_lower_case: texts are lowercased before tokenizing. */
  doLowerCase?: boolean;
  addEos?: boolean;
  /** The ONNX file inside the folder, when not the default one. */
  onnxFile?: string;
}

type Json = Record<string, unknown>;
const show = (v: unknown) => (v === undefined ? 'nothing (missing)' : JSON.stringify(v));
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const EXPECTED = { string: 'a string', boolean: 'true or false', object: 'a JSON object', int: 'a positive integer' };

/** A field that must be `type` when present (null counts as absent, as Python's json gives None). */
function field<T>(file: string, obj: Json, key: string, type: 'string' | 'boolean' | 'object' | 'int'): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const ok = type === 'int' ? Number.isInteger(v) && (v as number) >= 1 : type === 'object' ? isObject(v) : typeof v === type;
  if (!ok) throw new ConfigError(`${file}: field '${key}' must be ${EXPECTED[type]}, got ${show(v)}`);
  return v as T;
}

/**
 * What a sentence-transformers folder says about how to embed: pooling (the Pooling module's
 * config.json), normalisation (a Normalize module), max length and lowercasing
 * (sentence_bert_config.json), and query/document prompts (config_sentence_transformers.json), plus
 * our `retrievals` key for what those files cannot express. fromPretrained uses these only as
 * defaults (its options win), so `fromPretrained(dir)` embeds as sentence-transformers would. A
 * module that would change embeddings and is not implemented here (Dense, LayerNorm, ...) is an
 * error rather than silently different vectors.
 */
export function readSentenceTransformersDefaults(dir: string): SentenceTransformersDefaults {
  const modulesFile = join(dir, 'modules.json');
  if (!existsSync(modulesFile)) return {};
  const modules = readJson(modulesFile, 'modules.json');
  if (!Array.isArray(modules)) throw new ConfigError(`${modulesFile}: expected a JSON array of modules, got ${show(modules)}`);
  const out: SentenceTransformersDefaults = {};
  let poolingModule: string | undefined;
  modules.forEach((m: unknown, i) => {
    if (!isObject(m)) throw new ConfigError(`${modulesFile}: module ${i} must be an object with 'type' and 'path', got ${show(m)}`);
    const where = `${modulesFile} (module ${i})`;
    const type = field<string>(where, m, 'type', 'string');
    // A module folder is read from, so it must stay inside the model folder (symlinks included).
    const folder = confinedPath(dir, field<string>(where, m, 'path', 'string') || '.', `${where}: field 'path'`);
    switch (type?.split('.').pop()) {
      case 'Transformer':
        Object.assign(out, readTransformerConfig(join(folder, 'sentence_bert_config.json')));
        break;
      case 'Pooling': {
        poolingModule = join(folder, 'config.json');
        const pooling = readPoolingConfig(poolingModule);
        if (pooling) out.poolingMethod = pooling;
        break;
      }
      case 'Normalize':
        out.normalize = true;
        break;
      case 'Dropout': // the identity at inference
        break;
      default:
        throw new ConfigError(
          `${where}: field 'type' is ${show(type)}, which is not supported (only Transformer, Pooling, Normalize and Dropout are); embeddings would differ from sentence-transformers'`,
        );
    }
  });
  const merged = { ...out, ...readModelConfig(join(dir, 'config_sentence_transformers.json'), out.poolingMethod) };
  // sentence-transformers cannot load a Pooling module that names no pooling; neither do we guess one.
  if (poolingModule && !merged.poolingMethod) {
    throw new ConfigError(`${poolingModule}: the Pooling module sets no pooling_mode_* flag to true (known: ${Object.keys(POOLING_FLAGS).join(', ')}); fix the file or pass poolingMethod`);
  }
  return merged;
}

function readTransformerConfig(file: string): SentenceTransformersDefaults {
  if (!existsSync(file)) return {};
  const cfg = readJsonFile(file, 'sentence_bert_config.json');
  const out: SentenceTransformersDefaults = {};
  const max = field<number>(file, cfg, 'max_seq_length', 'int');
  if (max !== undefined) out.maxLength = max;
  if (field<boolean>(file, cfg, 'do_lower_case', 'boolean')) out.doLowerCase = true;
  return out;
}

/** The pooler a Pooling config.json names; undefined when it sets no flag (then our `retrievals` key may say). */
function readPoolingConfig(file: string): string | undefined {
  if (!existsSync(file)) throw new ConfigError(`${file}: the Pooling module's config.json is missing (sentence-transformers cannot load this folder either)`);
  const cfg = readJsonFile(file, 'pooling config');
  const on = Object.keys(POOLING_FLAGS).filter((k) => field<boolean>(file, cfg, k, 'boolean'));
  // INSTRUCTOR-style pooling that skips the prompt tokens: our poolers always see every token.
  if (field<boolean>(file, cfg, 'include_prompt', 'boolean') === false) {
    throw new ConfigError(`${file}: field 'include_prompt' is false (pool without the prompt's tokens), which is not supported`);
  }
  if (on.length > 1) throw new ConfigError(`${file}: ${on.join(' + ')} are combined (concatenated) poolings, which are not supported; pass poolingMethod`);
  return on.length === 1 ? POOLING_FLAGS[on[0]!] : undefined;
}

/**
 * Prompts and our `retrievals` key. Our exact spelling of a setting (a template with `{}`, a pooler
 * alias or one sentence-transformers lacks) is used only while sentence-transformers' own field still
 * says what we would write for it; once a folder is edited in Python, Python's field wins.
 */
function readModelConfig(file: string, pooling: string | undefined): SentenceTransformersDefaults {
  if (!existsSync(file)) return {};
  const cfg = readJsonFile(file, 'config_sentence_transformers.json');
  const prompts = field<Json>(file, cfg, 'prompts', 'object') ?? {};
  for (const [k, v] of Object.entries(prompts)) {
    if (typeof v !== 'string') throw new ConfigError(`${file}: field 'prompts.${k}' must be a string, got ${show(v)}`);
  }
  const ours = field<Json>(file, cfg, RETRIEVALS_KEY, 'object') ?? {};
  const at = `${file} (${RETRIEVALS_KEY})`;
  const out: SentenceTransformersDefaults = {};
  const query = instruction(file, prompts, QUERY_PROMPTS, field<string>(at, ours, 'query_instruction', 'string'));
  const document = instruction(file, prompts, DOCUMENT_PROMPTS, field<string>(at, ours, 'document_instruction', 'string'));
  if (query) out.queryInstruction = query;
  if (document) out.documentInstruction = document;
  const poolingMethod = field<string>(at, ours, 'pooling_method', 'string');
  const flag = pooling === undefined ? undefined : Object.keys(POOLING_FLAGS).find((k) => POOLING_FLAGS[k] === pooling);
  if (poolingMethod && poolingFlagOf(poolingMethod) === flag) out.poolingMethod = poolingMethod;
  const addEos = field<boolean>(at, ours, 'add_eos', 'boolean');
  if (addEos !== undefined) out.addEos = addEos;
  const onnxFile = field<string>(at, ours, 'onnx_file', 'string');
  if (onnxFile) out.onnxFile = onnxFile;
  return out;
}

/** Our template when the prompt is what we would have written for it, else the prompt (as a template: a prefix). */
function instruction(file: string, prompts: Json, names: readonly string[], ours: string | undefined): string | undefined {
  const prompt = promptTemplate(file, prompts, names);
  if (ours !== undefined && (instructionAsPrompt(ours) ?? '') === (prompt ?? '')) return ours;
  return prompt;
}

/**
 * The first of `names` that the prompts have, as sentence-transformers picks it (the first key
 * present, even if empty), as our template; '' means no prompt. A prompt is a prefix, which is what
 * a template without `{}` is, so it can be used as it is, unless it contains `{}` itself.
 */
function promptTemplate(file: string, prompts: Json, names: readonly string[]): string | undefined {
  const name = names.find((n) => n in prompts);
  const prompt = name === undefined ? undefined : (prompts[name] as string);
  if (prompt?.includes('{}')) {
    throw new ConfigError(`${file}: field 'prompts.${name}' contains '{}', which an instruction template would read as the place of the text (a prompt is a plain prefix); remove it`);
  }
  return prompt || undefined;
}
