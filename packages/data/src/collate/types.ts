import type { Generator, Tensor } from '@retrievals/core-tensor';
import type { TokenBatch } from '@retrievals/models';

/** The embedding inputs of the losses a collator fills with texts. */
export type TextRole = 'query' | 'positive' | 'negative' | 'embeddings';

/** The tensor inputs of the losses a collator fills from example values. */
export type TargetRole = 'labels' | 'teacherScores';

export type CollatedField = TextRole | TargetRole;

/** One embedding input of a batch: its texts (instructions applied) and their tokens, padded to a length bucket. */
export interface TextFeature {
  texts: string[];
  maxLength: number;
  /** Tokenized on first use (GradCache tokenizes chunk by chunk instead). */
  readonly tokens: TokenBatch;
}

/** A batch in the losses' layout: `negative` holds each query's G−1 texts contiguously (B·(G−1) rows). */
export interface CollatedBatch {
  /** Examples in the batch (B). */
  size: number;
  /** Dataset rows the examples came from, for error messages. */
  rows: number[];
  texts: Partial<Record<TextRole, TextFeature>>;
  targets: Partial<Record<TargetRole, Tensor>>;
}

export interface CollateContext {
  /** The dataset rows of the examples (default 0..n−1). */
  rows?: readonly number[];
  /** Draws this batch's random choices (train-group sampling); the trainer derives one per (seed, epoch, batch). */
  generator?: Generator;
}

/** Shapes a collator has produced, so a run can report how many graphs it compiled. */
export interface CollatorStats {
  /** Distinct batch signatures (every field's shape), one compiled training graph each. */
  signatures: Set<string>;
}

/** Turns a batch of typed examples into tokenized, padded loss inputs. */
export interface Collator<E = unknown> {
  /** The loss inputs each batch holds (checked against the loss's fields when a trainer is built). */
  readonly fields: readonly CollatedField[];
  /** The example fields each example must have (checked against the dataset's format). */
  readonly exampleFields: readonly string[];
  readonly stats: CollatorStats;
  collate(examples: readonly E[], context?: CollateContext): CollatedBatch;
  /** Tokenizes texts as `collate` does for a role (GradCache chunks). */
  tokenize(role: TextRole, texts: readonly string[]): TokenBatch;
  /** Every text an example contributes (the no-duplicates sampler keeps them out of one batch). */
  textsOf(example: E): string[];
}
