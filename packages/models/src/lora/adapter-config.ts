import { NotImplementedError } from '@retrievals/core-tensor';
import { ConfigReader, readJsonFile } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Module } from '../modules.js';
import type { LoraConfig } from './apply.js';
import type { LoraInit } from './lora-linear.js';
import { peftDefaultTargets, type TargetModules } from './targets.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
/** PEFT's state-dict prefix for a PeftModel's base model. */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/**
 * adapter_config.json as PEFT 0.13 writes it for a LoraConfig: every field of its dataclass,
 * keys sorted, two-space indent (json.dumps(..., indent=2, sort_keys=True)). We write that
 * version's field set because every PEFT since 0.10 reads it and newer versions drop fields they
 * do not know with only a warning; fields added later (exclude_modules, lora_bias, eva_config, …)
 * are omitted when they hold their defaults. `inference_mode` is true, as PeftModel.save_pretrained
 * sets it; `task_type` FEATURE_EXTRACTION is what an embedding model is in PEFT.
 */
export function adapterConfigJson(config: LoraConfig, baseModelNameOrPath: string | null): string {
  const fields: Record<string, unknown> = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: config.initLoraWeights,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: config.r,
    rank_pattern: {},
    revision: null,
    target_modules: config.targetModules,
    task_type: 'FEATURE_EXTRACTION',
    use_dora: false,
    use_rslora: config.useRslora,
  };
  if (config.excludeModules !== undefined) fields.exclude_modules = config.excludeModules;
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

const isSet = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/**
 * Options that change what the adapter computes beyond plain LoRA on Linear layers. Each is
 * refused by name rather than ignored, since ignoring it would give silently wrong embeddings.
 */
const UNSUPPORTED: [field: string, used: (v: unknown) => boolean, what: string][] = [
  ['use_dora', (v) => v === true, 'DoRA (weight-decomposed LoRA)'],
  ['bias', (v) => v !== undefined && v !== null && v !== 'none', "trained biases (only bias 'none' is implemented)"],
  ['lora_bias', (v) => v === true, 'a bias on lora_B'],
  ['fan_in_fan_out', (v) => v === true, 'Conv1D-style (fan_in, fan_out) weights (GPT-2); our Linear layers are (out, in)'],
  ['rank_pattern', isSet, 'per-layer ranks'],
  ['alpha_pattern', isSet, 'per-layer alphas'],
  ['layers_to_transform', isSet, 'adapting only some layer indices'],
  ['layer_replication', isSet, 'layer replication'],
  ['modules_to_save', isSet, 'fully trained extra modules'],
  ['megatron_config', isSet, 'Megatron parallel layers'],
  ['target_parameters', isSet, 'LoRA on bare parameters'],
  ['trainable_token_indices', isSet, 'trainable token embeddings'],
  ['alora_invocation_tokens', isSet, 'activated LoRA'],
  ['use_qalora', (v) => v === true, 'QALoRA'],
  ['arrow_config', isSet, 'Arrow routing'],
  // These initialisations also rewrite the base weights, which the saved adapter then assumes.
  ['init_lora_weights', (v) => typeof v === 'string' && !['gaussian', 'eva', 'orthogonal'].includes(v), 'an adapter made against base weights modified at init (PiSSA/OLoRA/CorDA/LoftQ/LoRA-GA); convert it in PEFT with path_initial_model_for_weight_conversion'],
];

function targetsField(c: ConfigReader, field: string): TargetModules | undefined {
  const v = c.raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v.length > 0) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0)) return v as string[];
  throw new ConfigError(`${c.file}: field '${field}' must be a regex string or a non-empty list of module names, got ${JSON.stringify(v)}`);
}

/**
 * Reads and checks adapter_config.json. Missing fields take PEFT's LoraConfig defaults (r 8,
 * lora_alpha 8, lora_dropout 0); a null target_modules means PEFT's per-architecture default.
 */
export function readAdapterConfig(file: string, backbone: Module): LoraConfig {
  const c = new ConfigReader(file, readJsonFile(file, ADAPTER_CONFIG_FILE));
  const type = c.raw.peft_type;
  if (type === undefined || type === null) throw new ConfigError(`${file}: field 'peft_type' is missing; a PEFT adapter config names its type ("LORA")`);
  if (type !== 'LORA') throw new NotImplementedError(`${file}: field 'peft_type' is ${JSON.stringify(type)}; only "LORA" adapters can be loaded`);
  for (const [field, used, what] of UNSUPPORTED) {
    if (used(c.raw[field])) throw new NotImplementedError(`${file}: field '${field}' = ${JSON.stringify(c.raw[field])} asks for ${what}`);
  }
  const dropout = c.number('lora_dropout', 0);
  if (!(dropout >= 0 && dropout < 1)) throw new ConfigError(`${file}: field 'lora_dropout' must be in [0, 1), got ${dropout}`);
  const init = c.raw.init_lora_weights ?? true;
  let targets = targetsField(c, 'target_modules');
  if (!targets) {
    targets = peftDefaultTargets(backbone);
    if (!targets) throw new ConfigError(`${file}: field 'target_modules' is null and PEFT has no default for ${backbone.constructor.name}; list the adapted modules`);
  }
  return {
    r: c.int('r', 8),
    alpha: c.number('lora_alpha', 8, { gt: 0, max: 1e6 }),
    dropout,
    targetModules: targets,
    excludeModules: targetsField(c, 'exclude_modules'),
    useRslora: c.bool('use_rslora', false),
    initLoraWeights: (typeof init === 'boolean' ? init : init === 'gaussian' ? 'gaussian' : true) as LoraInit,
  };
}
