import { pad, permute, reshape, slice } from '../ops/shape-ops.js';
import type { Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';
import { sumTo } from './sum-to.js';

registerGradient('reshape', (dy, node) => [reshape(dy, node.inputs[0]!.shape)]);

registerGradient('permute', (dy, node) => {
  const perm = node.attrs.perm as number[];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return [permute(dy, inv)];
});

registerGradient('expand', (dy, node) => [sumTo(dy, node.inputs[0]!.shape)]);

registerGradient('slice', (dy, node) => {
  const x = node.inputs[0]!;
  const starts = node.attrs.starts as number[], ends = node.attrs.ends as number[];
  return [pad(dy, x.shape.map((d, i) => [starts[i]!, d - ends[i]!] as [number, number]))];
});

registerGradient('pad', (dy, node) => {
  const pads = node.attrs.pads as [number, number][];
  let g = dy;
  pads.forEach(([before], i) => (g = slice(g, i, before, before + node.inputs[0]!.shape[i]!)));
  return [g];
});

registerGradient('concat', (dy, node) => {
  const axis = node.attrs.axis as number;
  let at = 0;
  return node.inputs.map((x: Tensor) => {
    const g = slice(dy, axis, at, at + x.shape[axis]!);
    at += x.shape[axis]!;
    return x.requiresGrad ? g : undefined;
  });
});

