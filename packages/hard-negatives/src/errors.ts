import { RetrievalsError } from '@retrievals/core-tensor';

/** Vectors of the wrong size, duplicate ids, or an index file that is not what it claims. */
export class IndexError extends RetrievalsError {}
