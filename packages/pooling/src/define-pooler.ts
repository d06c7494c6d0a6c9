import { parseOptions, ShapeError, type OptionSpecs, type ParsedOptions, type Tensor } from '@retrievals/core-tensor';
import { checkInputs } from './mask.js';
import type { Pooler, PoolerFactory } from './registry.js';

export interface PoolerDefinition<S extends OptionSpecs> {
  /** The registry name, used in every error message. */
  name: string;
  /** The options it takes, with defaults and checks (none for the built-ins). */
  options?: S;
  /** The pooling, on inputs already checked to be hidden [B, T, H] and mask [B, T]. */
  pool: (hidden: Tensor, mask: Tensor, options: ParsedOptions<S>) => Tensor;
}

/**
 * Makes what the poolers registry holds, a factory from options to a Pooler, adding what every
 * pooler needs: options checked by name and value, input shapes checked, and a [B, H] result
 * (a pooler returning anything else would fail later, far from its cause). Built-ins and plugins
 * both use it.
 */
export function definePooler<S extends OptionSpecs = Record<never, never>>(def: PoolerDefinition<S>): PoolerFactory {
  const factory: PoolerFactory = (given) => {
    const options = parseOptions({ kind: 'pooling', name: def.name }, given, def.options ?? ({} as S));
    const pooler: Pooler = (hidden, mask) => {
      const { b, h } = checkInputs(def.name, hidden, mask);
      const out = def.pool(hidden, mask, options);
      if (out.rank !== 2 || out.shape[0] !== b || out.shape[1] !== h) {
        throw new ShapeError(`pooling '${def.name}': a pooler must return [${b}, ${h}] (one vector per text), got [${out.shape.join(', ')}]`);
      }
      return out;
    };
    return Object.defineProperty(pooler, 'name', { value: def.name });
  };
  return factory;
}
