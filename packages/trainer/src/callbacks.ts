import type { AutoModelForEmbedding } from '@retrievals/models';

/** What a callback sees. */
export interface TrainerProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  model: AutoModelForEmbedding;
}

/**
 * Hooks the trainer calls (transformers' TrainerCallback, reduced to what is used). An evaluator
 * (InformationRetrievalEvaluator, EmbeddingSimilarityEvaluator) is a callback: it has `evaluate`,
 * which the trainer calls every evalSteps and at the end, and logs what it returns.
 */
export interface TrainerCallback {
  name?: string;
  onTrainBegin?(p: TrainerProgress): void | Promise<void>;
  onStepEnd?(p: TrainerProgress & { loss: number; lr: number }): void | Promise<void>;
  onSave?(p: TrainerProgress & { dir: string }): void | Promise<void>;
  onTrainEnd?(p: TrainerProgress): void | Promise<void>;
  /** Metrics by name (prefixed with the callback's name in the log). */
  evaluate?(model: AutoModelForEmbedding): Promise<Record<string, number>>;
}
