import { RetrievalsError } from '../errors.js';
import type { Backend } from './backend.js';

/**
 * Makes what the backends registry holds, checking a backend whole before anything registers it and
 * wrapping `run` so a backend that returns the wrong number of outputs fails there, naming itself,
 * rather than as an undefined tensor far downstream. Built-ins and plugins both use it.
 */
export function defineBackend<B extends Backend>(def: B): B {
  if (typeof def?.name !== 'string' || def.name.length === 0) throw new RetrievalsError(`defineBackend: 'name' must be a non-empty string, got ${JSON.stringify(def?.name)}`);
  if (typeof def.run !== 'function') throw new RetrievalsError(`backend '${def.name}': 'run(program, feeds)' must be a function`);
  for (const optional of ['reset', 'compileGraph'] as const) {
    if (def[optional] !== undefined && typeof def[optional] !== 'function') throw new RetrievalsError(`backend '${def.name}': '${optional}' must be a function when given`);
  }
  const run = def.run.bind(def);
  return Object.assign(def, {
    async run(program, feeds) {
      const out = await run(program, feeds);
      if (!Array.isArray(out) || out.length !== program.outputs.length) {
        throw new RetrievalsError(`backend '${def.name}': run returned ${Array.isArray(out) ? out.length : typeof out} outputs for a program of ${program.outputs.length}`);
      }
      return out;
    },
  } satisfies Pick<Backend, 'run'>);
}
