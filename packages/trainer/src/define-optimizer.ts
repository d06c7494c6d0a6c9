import { Optimizer, parseOptions, RetrievalsError, type OptionSpecs, type ParsedOptions, type ParamGroup, type Tensor } from '@retrievals/core-tensor';
import type { OptimizerFactory } from './registry.js';

export interface OptimizerDefinition<S extends OptionSpecs> {
  /** The registry name, used in every error message. */
  name: string;
  options: S;
  /** Checks across options that a per-option check cannot make (throw an OptionError). */
  validate?: (options: ParsedOptions<S>) => void;
  make: (params: Tensor[] | ParamGroup[], options: ParsedOptions<S>) => Optimizer;
}

/**
 * Makes what the optimizers registry holds: options checked when the config is read (not at the
 * first step), then a builder that refuses an empty parameter list, which would train nothing.
 */
export function defineOptimizer<S extends OptionSpecs>(def: OptimizerDefinition<S>): OptimizerFactory {
  return (given) => {
    const options = parseOptions({ kind: 'optimizer', name: def.name }, given, def.options);
    def.validate?.(options);
    return (params) => {
      if (!Array.isArray(params) || params.length === 0) throw new RetrievalsError(`optimizer ${def.name}: no parameters to train`);
      const optimizer = def.make(params, options);
      if (!(optimizer instanceof Optimizer)) throw new RetrievalsError(`optimizer ${def.name}: make() must return a core-tensor Optimizer`);
      return optimizer;
    };
  };
}
