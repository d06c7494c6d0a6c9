import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { confinedPath, isFloat, NotImplementedError, requireFile, realize, SafetensorsFile, saveTensors, storedToTensor, type Tensor } from '@retrievals/core-tensor';
import { ModelNotFoundError, WeightsError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import type { Module } from '../modules.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, adapterConfigJson, PEFT_KEY_PREFIX, readAdapterConfig } from './adapter-config.js';
import { assertNoAdapter, backboneOf, LoraError, loraConfig, loraLayers, selectTargets, wrapLayers, type LoraModel } from './apply.js';

export interface SaveAdapterOptions {
  /** adapter_config.json's base_model_name_or_path (default: the model's folder, when it has one). */
  baseModelNameOrPath?: string;
}

/**
 * Writes a PEFT adapter folder: adapter_config.json and adapter_model.safetensors with keys
 * `base_model.model.<module path>.lora_A.weight` [r, in] / `.lora_B.weight` [out, r] (PEFT drops
 * the adapter name on save). Module paths are the backbone's, without the checkpoint's task prefix
 * (`bert.`, `model.`): that is how PEFT names them for an AutoModel, which is what an embedder
 * wraps (open-retrievals calls get_peft_model on AutoModel.from_pretrained), so Python's
 * `PeftModel.from_pretrained(AutoModel.from_pretrained(base), dir)` reads the folder as is.
 */
export async function saveAdapter(model: LoraModel, dir: string, options: SaveAdapterOptions = {}): Promise<void> {
  const backbone = backboneOf(model);
  const config = loraConfig(backbone);
  if (!config) throw new LoraError('saveAdapter: this model has no LoRA adapter; call applyLora (or load one) first');
  const tensors: Record<string, Tensor> = {};
  for (const [path, m] of loraLayers(backbone)) {
    tensors[`${PEFT_KEY_PREFIX}${path}.lora_A.weight`] = m.lora_A.namedParameters().get('weight')!;
    tensors[`${PEFT_KEY_PREFIX}${path}.lora_B.weight`] = m.lora_B.namedParameters().get('weight')!;
  }
  await realize(...Object.values(tensors));
  mkdirSync(dir, { recursive: true });
  // PEFT writes {"format": "pt"}; transformers' loaders check for it.
  saveTensors(join(dir, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  const base = options.baseModelNameOrPath ?? ('dir' in model && typeof model.dir === 'string' ? model.dir : null);
  const file = join(dir, ADAPTER_CONFIG_FILE);
  writeFileAtomic(file, adapterConfigJson(config, base));
}

const KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

/**
 * The one task prefix an adapter's module paths carry ('' for an AutoModel adapter, `model.` for
 * one made on LlamaForCausalLM, `bert.` on BertForMaskedLM, …): a first component that is not a
 * child of the backbone is taken as the prefix, and every path must then carry it.
 */
function modulePrefix(backbone: Module, paths: string[], file: string): string {
  const children = new Set(backbone.childNames());
  const first = paths[0]!.split('.')[0]!;
  const prefix = children.has(first) ? '' : `${first}.`;
  for (const p of paths) {
    if (!p.startsWith(prefix) || !children.has(p.slice(prefix.length).split('.')[0]!)) {
      throw new WeightsError(
        `${file}: tensor for module '${p}' does not name a module of ${backbone.constructor.name} ` +
          `(expected paths under ${[...children].map((c) => `'${c}.'`).join(', ')}${prefix ? ` after the prefix '${prefix}'` : ', optionally after one task prefix such as \'model.\''})`,
      );
    }
  }
  return prefix;
}

/**
 * Loads a PEFT LoRA adapter folder into a model (an AutoModelForEmbedding or its backbone): reads
 * and checks adapter_config.json, wraps the layers its target_modules select, and fills lora_A /
 * lora_B from adapter_model.safetensors. Every tensor is checked (names, shapes) before the model
 * is changed, so a bad folder leaves the model as it was. Base weights are frozen and the adapter
 * weights trainable, so training can resume from a saved adapter.
 */
export function loadAdapter(model: LoraModel, dir: string): void {
  const backbone = backboneOf(model);
  assertNoAdapter(backbone);
  const configFile = join(dir, ADAPTER_CONFIG_FILE), weightsFile = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configFile)) throw new ModelNotFoundError(`${dir}: ${ADAPTER_CONFIG_FILE} not found (a PEFT adapter folder has ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE})`);
  requireFile(configFile, 'adapter config');
  const config = readAdapterConfig(confinedPath(dir, ADAPTER_CONFIG_FILE, configFile), backbone);
  if (!existsSync(weightsFile)) {
    if (existsSync(join(dir, 'adapter_model.bin'))) throw new NotImplementedError(`${dir}: adapter_model.bin (a pickle) cannot be read; save the adapter with safe_serialization=True`);
    throw new ModelNotFoundError(`${dir}: ${ADAPTER_WEIGHTS_FILE} not found`);
  }
  requireFile(weightsFile, 'adapter weights');
  const file = SafetensorsFile.open(confinedPath(dir, ADAPTER_WEIGHTS_FILE, weightsFile));
  try {
    const names = file.names();
    const bad = names.filter((n) => !KEY.test(n));
    if (bad.length) {
      throw new WeightsError(`${weightsFile}: unexpected tensor${bad.length > 1 ? 's' : ''} ${bad.slice(0, 4).map((n) => `'${n}'`).join(', ')}; a LoRA adapter holds only '${PEFT_KEY_PREFIX}<module>.lora_A.weight' and '.lora_B.weight'`);
    }
    if (!names.length) throw new WeightsError(`${weightsFile}: no tensors`);
    const stored = [...new Set(names.map((n) => KEY.exec(n)![1]!))];
    const prefix = modulePrefix(backbone, stored, weightsFile);
    const layers = selectTargets(backbone, config.targetModules, config.excludeModules, { pathPrefix: prefix, strict: false });
    const key = (path: string, ab: 'A' | 'B') => `${PEFT_KEY_PREFIX}${prefix}${path}.lora_${ab}.weight`;
    const expected = new Set([...layers.keys()].flatMap((p) => [key(p, 'A'), key(p, 'B')]));
    const missing = [...expected].filter((k) => !file.tensors.has(k));
    if (missing.length) throw new WeightsError(`${weightsFile}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).map((n) => `'${n}'`).join(', ')} (${configFile} targets ${JSON.stringify(config.targetModules)})`);
    const extra = names.filter((n) => !expected.has(n));
    if (extra.length) throw new WeightsError(`${weightsFile}: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.slice(0, 4).map((n) => `'${n}'`).join(', ')}: not a layer ${configFile}'s target_modules ${JSON.stringify(config.targetModules)} selects`);
    const values = new Map<string, Tensor>();
    for (const [path, base] of layers) {
      for (const [ab, shape] of [['A', [config.r, base.inFeatures]], ['B', [base.outFeatures, config.r]]] as const) {
        const name = key(path, ab), info = file.tensors.get(name)!;
        if (info.shape.length !== 2 || info.shape[0] !== shape[0] || info.shape[1] !== shape[1]) {
          throw new WeightsError(`${weightsFile}: tensor '${name}' has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}] (r = ${config.r} from ${configFile})`);
        }
        if (!isFloat(info.dtype)) throw new WeightsError(`${weightsFile}: tensor '${name}' is ${info.dtype}, expected a float dtype`);
        // Adapter weights compute in float32 whatever they were stored as (PEFT saves bf16 for LLMs).
        values.set(name, storedToTensor(file.read(name), 'float32').requiresGrad_());
      }
    }
    for (const [path, lora] of wrapLayers(backbone, layers, config)) lora.setAdapter(values.get(key(path, 'A'))!, values.get(key(path, 'B'))!);
  } finally {
    file.close();
  }
}
