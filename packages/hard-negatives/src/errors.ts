import { RetrievalsError } from '@retrievals/core-tensor';

/** Vectors of the wrong size, duplicate ids, or an index file that is not what it claims. */
export class IndexError extends RetrievalsError {}

/** A mining run that cannot go ahead as asked: bad options, an output that would overwrite an input, shards that do not fit together. */
export class MiningError extends RetrievalsError {}
