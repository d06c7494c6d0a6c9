import { RetrievalsError } from '@retrievals/core-tensor';

/** A trainer set up wrongly: arguments that contradict each other, a collator that does not feed its loss, a bad output folder. */
export class TrainerError extends RetrievalsError {}

/** A NaN or ±Inf loss or gradient: names the step, the batch's dataset rows and what was not finite. */
export class NonFiniteStepError extends RetrievalsError {
  constructor(
    message: string,
    readonly step: number,
    readonly rows: readonly number[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A checkpoint folder that cannot be resumed from: missing files, or a run it does not belong to. */
export class CheckpointError extends RetrievalsError {}
