import { gather, gatherElements, gatherGrad, scatterElementsAdd } from '../ops/index-ops.js';
import type { Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';

registerGradient('gather', (dy, node) => {
  const [x, idx] = node.inputs as [Tensor, Tensor];
  const axis = node.attrs.axis as number;
  return [gatherGrad(idx, dy, axis, x.shape[axis]!), undefined];
});

registerGradient('gatherElements', (dy, node) => {
  const [x, idx] = node.inputs as [Tensor, Tensor];
  return [scatterElementsAdd(idx, dy, node.attrs.axis as number, x.shape), undefined];
});

registerGradient('gatherGrad', (dy, node) => [undefined, gather(dy, node.inputs[0]!, node.attrs.axis as number)]);
registerGradient('scatterElementsAdd', (dy, node) => [undefined, gatherElements(dy, node.inputs[0]!, node.attrs.axis as number)]);
