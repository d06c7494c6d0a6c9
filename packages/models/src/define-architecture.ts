import { RetrievalsError } from '@retrievals/core-tensor';
import type { ConfigReader } from './config.js';
import { Backbone, type Architecture } from './registry.js';

// Which architecture built each backbone, so LoRA finds the record's defaults for a plugin's model as
// for a built-in one, without knowing its class.
const builtBy = new WeakMap<Backbone, Architecture>();

/** The architecture record a backbone was built from (by defineArchitecture's build), if any. */
export function architectureOf(backbone: object): Architecture | undefined {
  return builtBy.get(backbone as Backbone);
}

/**
 * Makes an architecture record, checking it whole before anything registers it, and wrapping its
 * build so the backbone it returns is a Backbone and remembers its record (see architectureOf).
 * Built-ins and plugins both use it.
 */
export function defineArchitecture(def: Architecture): Architecture {
  const where = `architecture '${def.name}'`;
  if (typeof def.name !== 'string' || def.name.length === 0) throw new RetrievalsError(`defineArchitecture: 'name' must be the config.json model_type, got ${JSON.stringify(def.name)}`);
  if (typeof def.build !== 'function') throw new RetrievalsError(`${where}: 'build' must be a function of the config`);
  if (typeof def.defaultPooling !== 'string' || def.defaultPooling.length === 0) throw new RetrievalsError(`${where}: 'defaultPooling' must name a pooler, got ${JSON.stringify(def.defaultPooling)}`);
  for (const field of ['prefixes', 'ignore', 'optionalModules'] as const) {
    if (!Array.isArray(def.layout?.[field])) throw new RetrievalsError(`${where}: 'layout.${field}' must be an array`);
  }
  for (const field of ['defaultTargets', 'peftDefaultTargets'] as const) {
    const targets = def.lora?.[field];
    if (def.lora && (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== 'string' || !t))) {
      throw new RetrievalsError(`${where}: 'lora.${field}' must be a non-empty list of module names, got ${JSON.stringify(targets)}`);
    }
  }
  const record: Architecture = {
    ...def,
    build(config: ConfigReader) {
      const backbone = def.build(config);
      if (!(backbone instanceof Backbone)) throw new RetrievalsError(`${where}: build() must return a Backbone, got ${backbone === null ? 'null' : typeof backbone}`);
      builtBy.set(backbone, record);
      return backbone;
    },
  };
  return record;
}
