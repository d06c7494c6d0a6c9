import { architectureOf } from '../define-architecture.js';
import { LoraError } from '../errors.js';
import type { Module } from '../modules.js';

/** PEFT's `target_modules`: a list of names, or one regular expression. */
export type TargetModules = string | readonly string[];

/**
 * PEFT's check_target_module_exists: a string is a regular expression that must match the whole
 * module path; a list matches a path equal to an entry or ending in `.` + entry (so `query` and
 * `attention.self.query` both pick `encoder.layer.0.attention.self.query`).
 */
export function matchesTarget(path: string, targets: TargetModules): boolean {
  if (typeof targets === 'string') return targetPattern(targets).test(path);
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}

const patterns = new Map<string, RegExp>();

/** A target_modules string as the regular expression PEFT makes of it; an invalid one is a LoraError naming it. */
export function targetPattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    try {
      re = new RegExp(`^(?:${source})$`);
    } catch (e) {
      throw new LoraError(`LoRA: target_modules ${JSON.stringify(source)} is not a valid regular expression: ${(e as Error).message}`);
    }
    patterns.set(source, re);
  }
  return re;
}

/** Entries of a target list that match no module path (typos), for an error that names them. */
export function unmatchedTargets(paths: readonly string[], targets: TargetModules): string[] {
  if (typeof targets === 'string') return paths.some((p) => matchesTarget(p, targets)) ? [] : [targets];
  return targets.filter((t) => !paths.some((p) => matchesTarget(p, [t])));
}

/** Our default targets: those of the architecture the backbone was built from (its record's `lora`). */
export function defaultTargets(backbone: Module): string[] | undefined {
  const targets = architectureOf(backbone)?.lora?.defaultTargets;
  return targets && [...targets];
}

/**
 * What PEFT itself picks when adapter_config.json has `"target_modules": null`, from the
 * architecture's record, so a Python-made adapter loads onto the layers it was trained on.
 */
export function peftDefaultTargets(backbone: Module): string[] | undefined {
  const targets = architectureOf(backbone)?.lora?.peftDefaultTargets;
  return targets && [...targets];
}
