import { OptionError, RetrievalsError } from '@retrievals/core-tensor';

/** A loss was given an option it does not know, or a value outside the option's range. */
export class LossOptionError extends OptionError {}

/** A loss was called with a missing, unexpected or wrongly shaped input field. */
export class LossInputError extends RetrievalsError {}

/** An input or the loss itself holds NaN or ±Inf: raised instead of returning a NaN loss. */
export class NonFiniteError extends RetrievalsError {}
