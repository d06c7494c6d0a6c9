import { cast, constant, greater, matmul, reshape, ShapeError, type DType, type Tensor } from '@retrievals/core-tensor';

/** Checks the two inputs every pooler takes and returns their sizes. */
export function checkInputs(name: string, hidden: Tensor, mask: Tensor): { b: number; t: number; h: number } {
  if (hidden.rank !== 3) throw new ShapeError(`pooling '${name}': hidden states must be [batch, seq, hidden], got [${hidden.shape.join(', ')}]`);
  const [b, t, h] = hidden.shape as [number, number, number];
  if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== t) {
    throw new ShapeError(`pooling '${name}': attention mask must be [${b}, ${t}] to match hidden states [${b}, ${t}, ${h}], got [${mask.shape.join(', ')}]`);
  }
  return { b, t, h };
}

/** The mask as 0/1 values of a float dtype (a bool or integer mask is cast). */
export function maskAsFloat(mask: Tensor, dtype: DType): Tensor {
  if (mask.dtype === dtype) return mask;
  // Going through bool makes any non-zero value count as a token, whatever the mask dtype.
  const positive = mask.dtype === 'bool' ? mask : greater(mask, 0);
  return cast(positive, dtype);
}

/** True where the mask marks a token, [B, T] bool. */
export function maskAsBool(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? mask : greater(mask, 0);
}

/** Positions 0..T-1 as a [1, T] float constant (compiled into the graph, part of its cache key). */
export function positions(t: number, dtype: Tensor['dtype']): Tensor {
  return constant(Array.from({ length: t }, (_, i) => i), dtype, [1, t]);
}

/**
 * Running count of tokens along each row, [B, T]: a cumulative sum written as a product with an
 * upper-triangular matrix of ones, because core-tensor has no cumsum op. Exact for integers < 2^24.
 */
export function cumulativeTokens(maskF: Tensor): Tensor {
  const t = maskF.shape[1]!;
  const upper = new Array<number>(t * t);
  for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) upper[i * t + j] = i <= j ? 1 : 0;
  return matmul(maskF, constant(upper, maskF.dtype, [t, t]));
}

/**
 * Σ_t weights[b, t] · hidden[b, t, :] as one batched matmul ([B, 1, T] @ [B, T, H]), which is
 * both the fastest form in onnxruntime and a single node for autograd.
 */
export function weightedSum(hidden: Tensor, weights: Tensor): Tensor {
  const [b, t, h] = hidden.shape as [number, number, number];
  return reshape(matmul(reshape(weights, [b, 1, t]), hidden), [b, h]);
}
