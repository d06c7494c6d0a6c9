import { matmul, reshape, ShapeError, type Tensor } from '@retrievals/core-tensor';

/** Checks the two inputs every pooler takes and returns their sizes. */
export function checkInputs(name: string, hidden: Tensor, mask: Tensor): { b: number; t: number; h: number } {
  if (hidden.rank !== 3) throw new ShapeError(`pooling '${name}': hidden states must be [batch, seq, hidden], got [${hidden.shape.join(', ')}]`);
  const [b, t, h] = hidden.shape as [number, number, number];
  if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== t) {
    throw new ShapeError(`pooling '${name}': attention mask must be [${b}, ${t}] to match hidden states [${b}, ${t}, ${h}], got [${mask.shape.join(', ')}]`);
  }
  return { b, t, h };
}

/**
 * Σ_t weights[b, t] · hidden[b, t, :] as one batched matmul ([B, 1, T] @ [B, T, H]), which is
 * both the fastest form in onnxruntime and a single node for autograd.
 */
export function weightedSum(hidden: Tensor, weights: Tensor): Tensor {
  const [b, t, h] = hidden.shape as [number, number, number];
  return reshape(matmul(reshape(weights, [b, 1, t]), hidden), [b, h]);
}
