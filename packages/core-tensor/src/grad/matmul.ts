import { matmul } from '../ops/matmul.js';
import { transpose } from '../ops/shape-ops.js';
import type { Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';
import { sumTo } from './sum-to.js';

registerGradient('matmul', (dy, node) => {
  const [a, b] = node.inputs as [Tensor, Tensor];
  return [
    a.requiresGrad ? sumTo(matmul(dy, transpose(b)), a.shape) : undefined,
    b.requiresGrad ? sumTo(matmul(transpose(a), dy), b.shape) : undefined,
  ];
});
