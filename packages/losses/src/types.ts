import type { Tensor } from '@retrievals/core-tensor';

/**
 * What a loss may be given. Embedding layout: `query` [B, D], `positive` [B, D], `negative`
 * [B·(G−1), D] with each query's G−1 negatives contiguous (G = train group size). Each loss
 * documents the fields it reads and rejects the ones it does not.
 */
export interface LossInputs {
  /** Query embeddings [B, D] (token embeddings [B, Tq, D] for colbert-maxsim). */
  query?: Tensor;
  /** One positive document per query [B, D]; the second dropout view for unsupervised simcse. */
  positive?: Tensor;
  /** Hard negatives [B·(G−1), D], the G−1 of query i at rows i·(G−1) … (i+1)·(G−1)−1. */
  negative?: Tensor;
  /** Point-wise embeddings [N, D] (arcface). */
  embeddings?: Tensor;
  /** Class ids [N] (arcface), float pair labels [B] (cosent), or relevance grades [B, G] (listwise). */
  labels?: Tensor;
  /** Precomputed student scores [B, G] (column 0 the positive), instead of embeddings. */
  scores?: Tensor;
  /** A teacher's (e.g. a cross encoder's) scores [B, G] for the positive and the G−1 negatives. */
  teacherScores?: Tensor;
  /** Teacher margins score(q, p) − score(q, n) [B, G−1] (margin-mse), instead of teacherScores. */
  teacherMargins?: Tensor;
  /** Token masks for colbert-maxsim: 1 (or true) for a real token, 0 for padding. */
  queryMask?: Tensor;
  positiveMask?: Tensor;
  negativeMask?: Tensor;
  /** Per-call angular margin for arcface: one number, or one per example [N]. */
  margin?: number | Tensor;
}

export type LossField = keyof LossInputs;

/**
 * A configured loss: call it with the inputs, get a scalar tensor (lazy, like every core-tensor
 * op). `fields` says what it reads; `parameters()` lists the tensors it owns and trains (arcface's
 * class centres), for the optimizer.
 */
export interface Loss {
  (inputs: LossInputs): Tensor;
  readonly name: string;
  readonly fields: { readonly required: readonly LossField[]; readonly optional: readonly LossField[] };
  parameters(): Tensor[];
}

/** How a wrapper (matryoshka, cached) names the loss it wraps: a registry name, a config object, or a Loss. */
export type LossSpec = string | ({ name: string } & Record<string, unknown>) | Loss;
