import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { cast, not, where } from './elementwise.js';
import { equal, sub } from './math.js';
import { cumsum, positionsLike } from './scan.js';
import { slice } from './shape-ops.js';

// The one definition of attention masks and position ids, used by the architectures, the poolers,
// the losses and the onnx runtime alike. A mask is [B, T] of any dtype; as PyTorch's mask.bool(),
// every non-zero entry marks a token and 0 marks padding.

/** True where the mask marks a token, [B, T] bool. */
export function maskAsBool(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? mask : not(equal(mask, 0));
}

/** The mask as 0/1 values of a float dtype. */
export function maskAsFloat(mask: Tensor, dtype: DType = 'float32'): Tensor {
  return cast(maskAsBool(mask), dtype);
}

/** True where ids are not the padding id: the mask HF derives from input ids (RoBERTa's positions). */
export function tokenMask(ids: Tensor, padId: number): Tensor {
  return not(equal(ids, padId));
}

/** 0..T-1 along the last axis as [1, T], from x's shape in the graph (absolute positions; an export follows T). */
export function positionRow(x: Tensor, dtype: DType = 'int64'): Tensor {
  return positionsLike(slice(x, 0, 0, 1), 1, dtype);
}

/** Each token's 1-based position within its text (a running count of the mask), 0 at padding before the first token. */
export function tokenCounts(mask: Tensor, dtype: DType = 'float32'): Tensor {
  return cumsum(maskAsFloat(mask, dtype), 1);
}

/**
 * Position ids from the mask as transformers' decoders get them (cumsum − 1, padding set to 1):
 * a left-padded text gets the positions it would have unpadded.
 */
export function positionIdsFromMask(mask: Tensor, dtype: DType = 'int64'): Tensor {
  return where(maskAsBool(mask), sub(tokenCounts(mask, dtype), 1), 1);
}
