import { binary, cast } from '../ops/elementwise.js';
import { reduce } from '../ops/reduce.js';
import { expand, reshape } from '../ops/shape-ops.js';
import type { Node, Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';

/** Puts the reduced dims back (size 1) and broadcasts to the input's shape. */
function unreduce(t: Tensor, node: Node): Tensor {
  const x = node.inputs[0]!;
  const axes = node.attrs.axes as number[];
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return expand(reshape(t, kept), x.shape);
}

registerGradient('sum', (dy, node) => [unreduce(dy, node)]);

// The gradient goes to every position that attains the extreme, split evenly (like torch.amax).
const extreme = ((dy: Tensor, node: Node, out: Tensor) => {
  const x = node.inputs[0]!;
  const mask = cast(binary('equal', x, unreduce(out, node)), x.dtype);
  const count = reduce('sum', mask, node.attrs.axes as number[], true);
  return [binary('mul', binary('div', mask, expand(count, x.shape)), unreduce(dy, node))];
}) as Parameters<typeof registerGradient>[1];
registerGradient('max', extreme);
registerGradient('min', extreme);
