import { RetrievalsError } from '@retrievals/core-tensor';

/** The native addon is not built or cannot load: says what to install. */
export class OnednnUnavailableError extends RetrievalsError {}

/** A program the backend compiled or ran failed (an index out of range, a primitive oneDNN rejected). */
export class OnednnRunError extends RetrievalsError {}
