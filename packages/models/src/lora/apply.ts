import { castArray, Generator, matmul, mul, noGrad, realize, Tensor } from '@retrievals/core-tensor';
import { LoraError } from '../errors.js';
import { Linear, Module } from '../modules.js';
import { LoraLinear, type LoraInit } from './lora-linear.js';
import { defaultTargets, matchesTarget, unmatchedTargets, type TargetModules } from './targets.js';

export { LoraError };

/** `applyLora` options, named after PEFT's LoraConfig fields (r, lora_alpha, lora_dropout, ...). */
export interface LoraOptions {
  /** Rank (default 8, as PEFT). */
  r?: number;
  /** lora_alpha (default 8, as PEFT); the update is scaled by alpha/r. */
  alpha?: number;
  /** lora_dropout on the adapter's input in training (default 0). */
  dropout?: number;
  /** Layers to wrap: PEFT's target_modules (a list of names/suffixes, or one regex on the whole path). Default: every Linear of attention and MLP. */
  targetModules?: TargetModules;
  /** Layers to leave alone, matched like targetModules (PEFT's exclude_modules). */
  excludeModules?: TargetModules;
  /** Rank-stabilised LoRA: scale alpha/√r. */
  useRslora?: boolean;
  /** PEFT's init_lora_weights (default true: A kaiming-uniform, B zeros). */
  initLoraWeights?: LoraInit;
  /** Draws the initial A matrices (default: a Generator seeded 0, so the same call gives the same adapter). */
  generator?: Generator;
}

/** The adapter applied to a backbone: everything adapter_config.json records. */
export interface LoraConfig {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: TargetModules;
  excludeModules: TargetModules | undefined;
  useRslora: boolean;
  initLoraWeights: LoraInit;
}

/** A backbone, or anything holding one (an AutoModelForEmbedding), so these work on either. */
export type LoraModel = Module | { readonly backbone?: Module | undefined };

// Kept beside the module tree rather than in it: the backbone's classes know nothing of LoRA.
const applied = new WeakMap<Module, LoraConfig>();

export function backboneOf(model: LoraModel): Module {
  if (model instanceof Module) return model;
  if (model && model.backbone instanceof Module) return model.backbone;
  throw new LoraError('LoRA needs a core-tensor module tree: pass a Module or a model loaded with the tensor runtime (this one has no backbone)');
}

/** The configuration of the adapter applied to a model, or undefined. */
export function loraConfig(model: LoraModel): LoraConfig | undefined {
  return applied.get(backboneOf(model));
}

/** One adapter at a time (PEFT's multi-adapter switching is not needed for training embedders). */
export function assertNoAdapter(backbone: Module): void {
  if (applied.has(backbone)) throw new LoraError('LoRA: this model already has an adapter; mergeAndUnload() it first (one adapter at a time)');
}

const show = (t: TargetModules) => JSON.stringify(t);

/**
 * The Linear layers a target selection picks, checked: nothing matched, or a match that is not a
 * Linear, is an error naming what was asked and what exists. `pathPrefix` is put before each
 * module path when matching (a PEFT adapter made on LlamaForCausalLM names `model.layers.…`).
 * `strict` also refuses list entries that match nothing (a typo in our own call; a Python config
 * may list names for other architectures, which PEFT allows).
 */
export function selectTargets(backbone: Module, targets: TargetModules, exclude: TargetModules | undefined, opts: { pathPrefix?: string; strict?: boolean } = {}): Map<string, Linear> {
  const { pathPrefix = '', strict = true } = opts;
  const validList = (t: unknown) => typeof t === 'string' ? t.length > 0 : Array.isArray(t) && t.length > 0 && t.every((s) => typeof s === 'string' && s.length > 0);
  if (!validList(targets)) throw new LoraError(`LoRA: targetModules must be a non-empty string (a regex) or a non-empty list of names, got ${show(targets)}`);
  const modules = [...backbone.namedModules()].filter(([p]) => p !== '');
  const paths = modules.map(([p]) => pathPrefix + p);
  const linears = modules.filter(([, m]) => m instanceof Linear).map(([p]) => p);
  const known = `its Linear layers are ${linears.slice(0, 8).join(', ')}${linears.length > 8 ? `, … (${linears.length} in all)` : ''}`;
  const out = new Map<string, Linear>();
  for (const [path, m] of modules) {
    const full = pathPrefix + path;
    if (!matchesTarget(full, targets) || (exclude && matchesTarget(full, exclude))) continue;
    if (m instanceof LoraLinear) throw new LoraError(`LoRA: '${path}' already has a LoRA adapter`);
    if (!(m instanceof Linear)) throw new LoraError(`LoRA: target_modules ${show(targets)} matches '${full}', a ${m.constructor.name}, not a Linear layer; LoRA wraps Linear layers only (${known})`);
    out.set(path, m);
  }
  if (!out.size) throw new LoraError(`LoRA: target_modules ${show(targets)} matches no layer of ${backbone.constructor.name}; ${known}`);
  const unmatched = strict ? unmatchedTargets(paths, targets) : [];
  if (unmatched.length) throw new LoraError(`LoRA: target_modules entries ${show(unmatched)} match no layer of ${backbone.constructor.name}; ${known}`);
  return out;
}

/**
 * Wraps the chosen Linear layers in LoraLinear and freezes everything else (PEFT's
 * mark_only_lora_as_trainable): only lora_A / lora_B require gradients afterwards.
 */
export function wrapLayers(backbone: Module, layers: Map<string, Linear>, config: LoraConfig, generator = new Generator(0)): Map<string, LoraLinear> {
  assertNoAdapter(backbone);
  backbone.requiresGrad_(false);
  const out = new Map<string, LoraLinear>();
  for (const [path, base] of layers) {
    const lora = new LoraLinear(base, { r: config.r, alpha: config.alpha, dropout: config.dropout, useRslora: config.useRslora, init: config.initLoraWeights, generator });
    backbone.setModule(path, lora);
    out.set(path, lora);
  }
  applied.set(backbone, config);
  return out;
}

/**
 * Adds LoRA adapters to a model (an AutoModelForEmbedding or its backbone) in place, as PEFT's
 * get_peft_model: the target Linear layers become LoraLinear, every other parameter is frozen.
 * Returns the model it was given. Train with `loraParameters(model)`.
 */
export function applyLora<T extends LoraModel>(model: T, options: LoraOptions = {}): T {
  const backbone = backboneOf(model);
  const targets = options.targetModules ?? defaultTargets(backbone);
  if (!targets) throw new LoraError(`LoRA: no default target modules for ${backbone.constructor.name}; pass targetModules (PEFT names or a regex)`);
  const config: LoraConfig = {
    r: options.r ?? 8,
    alpha: options.alpha ?? 8,
    dropout: options.dropout ?? 0,
    targetModules: targets,
    excludeModules: options.excludeModules,
    useRslora: options.useRslora ?? false,
    initLoraWeights: options.initLoraWeights ?? true,
  };
  assertNoAdapter(backbone);
  wrapLayers(backbone, selectTargets(backbone, targets, options.excludeModules), config, options.generator);
  return model;
}

/** Every LoRA-wrapped layer by module path. */
export function loraLayers(model: LoraModel): Map<string, LoraLinear> {
  const out = new Map<string, LoraLinear>();
  for (const [path, m] of backboneOf(model).namedModules()) if (m instanceof LoraLinear) out.set(path, m);
  return out;
}

/** The trainable adapter weights by name (`<module path>.lora_A.weight`, `.lora_B.weight`), for optimizer groups and checkpoints. */
export function namedLoraParameters(model: LoraModel): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [path, m] of loraLayers(model)) {
    out.set(`${path}.lora_A.weight`, m.lora_A.namedParameters().get('weight')!);
    out.set(`${path}.lora_B.weight`, m.lora_B.namedParameters().get('weight')!);
  }
  return out;
}

/** The trainable adapter weights, e.g. `new AdamW(loraParameters(model), { lr: 1e-4 })`. */
export function loraParameters(model: LoraModel): Tensor[] {
  return [...namedLoraParameters(model).values()];
}

/**
 * Folds each adapter into its base weight (W ← W + scaling·B·A, as PEFT's merge_and_unload) and
 * puts the plain Linear back, so the model runs at base cost and saves as an ordinary checkpoint.
 * The sum is formed in float32 (float64 for a float64 base) and stored in the base weight's dtype
 * (float16 stays float16).
 * Base parameters stay frozen; returns the backbone.
 */
export async function mergeAndUnload(model: LoraModel): Promise<Module> {
  const backbone = backboneOf(model);
  const layers = loraLayers(backbone);
  if (!applied.has(backbone) && !layers.size) throw new LoraError('mergeAndUnload: this model has no LoRA adapter');
  const deltas = noGrad(() =>
    [...layers.values()].map((m) => {
      const a = m.lora_A.namedParameters().get('weight')!, b = m.lora_B.namedParameters().get('weight')!;
      return mul(matmul(b.detach(), a.detach()), m.scaling);
    }),
  );
  await realize(...deltas);
  [...layers].forEach(([path, m], i) => {
    const base = m.base_layer;
    const w = base.namedParameters().get('weight')!;
    const acc = w.dtype === 'float64' ? 'float64' : 'float32'; // never sum in half precision
    const sum = castArray(w.dataSync(), w.dtype, acc).slice() as Float32Array | Float64Array;
    const d = castArray(deltas[i]!.dataSync(), deltas[i]!.dtype, acc) as Float32Array | Float64Array;
    for (let k = 0; k < sum.length; k++) sum[k]! += d[k]!;
    const merged = new Tensor({ shape: w.shape, dtype: w.dtype, buffer: castArray(sum, acc, w.dtype) });
    merged.name = w.name;
    base.setOwnParameter('weight', merged.requiresGrad_(w.requiresGrad));
    backbone.setModule(path, base);
  });
  applied.delete(backbone);
  return backbone;
}
