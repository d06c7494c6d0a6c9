import { RetrievalsError } from '@retrievals/core-tensor';

/** A data file or record could not be used; the message names the file, the line and the field. */
export class DataError extends RetrievalsError {}
