import { RetrievalsError } from '@retrievals/core-tensor';

/** A bad command line or config file: an unknown command, flag or key, a flag without its value, a value of the wrong kind, conflicting flags. */
export class UsageError extends RetrievalsError {}
