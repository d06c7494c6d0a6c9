import { RetrievalsError } from '@retrievals/core-tensor';
import type { Runtime, RuntimeContext, RuntimeFactory } from './runtimes/runtime.js';

export interface RuntimeDefinition {
  /** The registry name (`fromPretrained(dir, { runtime })`), used in every error message. */
  name: string;
  /** Opens the model of a folder: what fromPretrained calls once it has read config.json. */
  open: (ctx: RuntimeContext) => Promise<Runtime>;
}

const MEMBERS = ['lastHiddenState', 'embed', 'dispose'] as const;

/**
 * Makes what the runtimes registry holds, checking what every runtime must give fromPretrained:
 * the methods it calls and a `capabilities` record (load, savePretrained and exportOnnx read that,
 * never a runtime's class or name), so a plugin runtime that lacks one fails at load, naming it.
 * Built-ins and plugins both use it.
 */
export function defineRuntime(def: RuntimeDefinition): RuntimeFactory {
  if (typeof def.name !== 'string' || def.name.length === 0) throw new RetrievalsError(`defineRuntime: 'name' must be a non-empty string, got ${JSON.stringify(def.name)}`);
  if (typeof def.open !== 'function') throw new RetrievalsError(`runtime '${def.name}': 'open' must be a function of the load context`);
  return async (ctx) => {
    const runtime = await def.open(ctx);
    const missing = MEMBERS.filter((m) => typeof (runtime as unknown as Record<string, unknown>)?.[m] !== 'function');
    if (missing.length || typeof runtime.capabilities !== 'object' || runtime.capabilities === null) {
      throw new RetrievalsError(`runtime '${def.name}': open() must return a Runtime; it lacks ${[...missing, ...(runtime?.capabilities ? [] : ['capabilities'])].join(', ')}`);
    }
    return runtime;
  };
}
