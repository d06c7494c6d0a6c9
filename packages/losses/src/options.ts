import { checks, opt, parseOptions as parseComponentOptions, type OptionSpec, type OptionSpecs, type ParsedOptions } from '@retrievals/core-tensor';
import { LossOptionError } from './errors.js';

// The checks every package shares (core-tensor's options.ts), under the names the loss files use.
export const { positive, nonNegative, finite, boolean, unitInterval, oneOf, anything } = checks;
export { opt, type OptionSpec };

/** core-tensor's parseOptions for a loss: messages `loss <name>: option ...`, thrown as LossOptionError. */
export function parseOptions<S extends OptionSpecs>(loss: string, given: object | undefined, specs: S): ParsedOptions<S> {
  return parseComponentOptions({ kind: 'loss', name: loss }, given, specs, LossOptionError);
}
