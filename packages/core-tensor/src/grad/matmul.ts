import { matmul } from '../ops/matmul.js';
import { reshape, transpose } from '../ops/shape-ops.js';
import type { Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';
import { sumTo } from './sum-to.js';

/**
 * A 2-D operand shared across a batch (a weight in x @ W) gets its gradient as ONE matmul over
 * the flattened batch, [k, B·m] @ [B·m, n], rather than B matmuls summed afterwards: the same
 * numbers without a [B, k, n] intermediate (3-4x faster for a linear layer's backward).
 */
registerGradient('matmul', (dy, node) => {
  const [a, b] = node.inputs as [Tensor, Tensor];
  const k = a.shape[a.rank - 1]!, n = b.shape[b.rank - 1]!;
  let ga: Tensor | undefined, gb: Tensor | undefined;
  if (a.requiresGrad) ga = sumTo(matmul(dy, transpose(b)), a.shape);
  if (b.requiresGrad) {
    gb =
      b.rank === 2 && a.rank > 2
        ? matmul(transpose(reshape(a, [-1, k])), reshape(dy, [-1, n]))
        : sumTo(matmul(transpose(a), dy), b.shape);
  }
  return [ga, gb];
});
