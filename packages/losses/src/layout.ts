import type { Tensor } from '@retrievals/core-tensor';
import { LossInputError } from './errors.js';
import { Dims, expectFloat, requireField } from './shapes.js';
import type { LossInputs } from './types.js';

/** A batch in the train-group layout, checked: B queries, one positive each, G−1 negatives each. */
export interface Group {
  B: number;
  D: number;
  /** Train group size: the positive plus G−1 negatives per query. */
  G: number;
  query: Tensor;
  positive: Tensor;
  /** [B·(G−1), D], or undefined when G = 1 (absent, or given with zero rows). */
  negative: Tensor | undefined;
}

/** Reads and checks query [B, D] and positive [B, D] (the two sides of a pair or of a group). */
export function pairFields(loss: string, inputs: LossInputs, what = { query: 'query embeddings [B, D]', positive: 'one positive per query [B, D]' }): { dims: Dims; query: Tensor; positive: Tensor } {
  const dims = new Dims(loss);
  const query = requireField(loss, 'query', inputs.query, what.query);
  const positive = requireField(loss, 'positive', inputs.positive, what.positive);
  expectFloat(loss, 'query', query);
  dims.expect('query', query, ['B', 'D']);
  expectFloat(loss, 'positive', positive, { field: 'query', tensor: query });
  dims.expect('positive', positive, ['B', 'D']);
  return { dims, query, positive };
}

/**
 * Reads query [B, D], positive [B, D] and negative [B·(G−1), D]. `needsNegatives` names why the
 * loss cannot work without them, for the error.
 */
export function groupLayout(loss: string, inputs: LossInputs, needsNegatives?: string): Group {
  const { dims, query, positive } = pairFields(loss, inputs);
  const B = dims.get('B'), D = dims.get('D');
  let negative = inputs.negative;
  if (negative) {
    expectFloat(loss, 'negative', negative, { field: 'query', tensor: query });
    dims.expect('negative', negative, ['N', 'D']);
    if (negative.shape[0]! % B !== 0) {
      throw new LossInputError(
        `${loss}: input 'negative' has ${negative.shape[0]} rows, not a multiple of B = ${B} (from 'query'): ` +
          'give every query the same number G−1 of negatives, each query\'s rows contiguous',
      );
    }
    if (negative.shape[0] === 0) negative = undefined;
  }
  if (!negative && needsNegatives) {
    throw new LossInputError(`${loss}: input 'negative' [B·(G−1), D] with G ≥ 2 is required: ${needsNegatives}`);
  }
  const G = negative ? negative.shape[0]! / B + 1 : 1;
  return { B, D, G, query, positive, negative };
}
