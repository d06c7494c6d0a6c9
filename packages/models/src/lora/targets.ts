import { BertModel } from '../architectures/bert.js';
import { DistilBertModel } from '../architectures/distilbert.js';
import { LlamaModel } from '../architectures/llama.js';
import type { Module } from '../modules.js';

/** PEFT's `target_modules`: a list of names, or one regular expression. */
export type TargetModules = string | readonly string[];

/**
 * PEFT's check_target_module_exists: a string is a regular expression that must match the whole
 * module path; a list matches a path equal to an entry or ending in `.` + entry (so `query` and
 * `attention.self.query` both pick `encoder.layer.0.attention.self.query`).
 */
export function matchesTarget(path: string, targets: TargetModules): boolean {
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(path);
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}

/** Entries of a target list that match no module path (typos), for an error that names them. */
export function unmatchedTargets(paths: readonly string[], targets: TargetModules): string[] {
  if (typeof targets === 'string') return paths.some((p) => matchesTarget(p, targets)) ? [] : [targets];
  return targets.filter((t) => !paths.some((p) => matchesTarget(p, [t])));
}

/**
 * Our default: every Linear of the attention and MLP blocks (the usual choice for fine-tuning
 * embedders, and what the seed's LLM recipes list), never BERT's pooler (loaded but unused by
 * embedding poolers, so an adapter there would train nothing). Written as PEFT suffixes so the
 * saved adapter_config.json selects the same layers in Python: `output.dense` covers both
 * `attention.output.dense` and the layer's `output.dense`, but not `pooler.dense`.
 */
export function defaultTargets(backbone: Module): string[] | undefined {
  if (backbone instanceof BertModel) return ['query', 'key', 'value', 'output.dense', 'intermediate.dense'];
  if (backbone instanceof DistilBertModel) return ['q_lin', 'k_lin', 'v_lin', 'out_lin', 'lin1', 'lin2'];
  if (backbone instanceof LlamaModel) return ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
  return undefined;
}

/**
 * What PEFT itself picks when adapter_config.json has `"target_modules": null`
 * (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING: query and value projections only), so a
 * Python-made adapter loads onto the layers it was trained on.
 */
export function peftDefaultTargets(backbone: Module): string[] | undefined {
  if (backbone instanceof BertModel) return ['query', 'value'];
  if (backbone instanceof DistilBertModel) return ['q_lin', 'v_lin'];
  if (backbone instanceof LlamaModel) return ['q_proj', 'v_proj'];
  return undefined;
}
