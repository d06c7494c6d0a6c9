import { allocate, type TypedArray } from '../../dtype.js';
import { numel, stridesOf } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { broadcastOffsets, permuteOffsets, walk } from './util.js';

function gatherBy(src: TypedArray, offs: Int32Array, node: { dtype: Parameters<typeof allocate>[0] }): TypedArray {
  const o = allocate(node.dtype, offs.length);
  for (let i = 0; i < offs.length; i++) o[i] = src[offs[i]!]!;
  return o;
}

registerJsKernel('reshape', ([x]) => x!.slice());
registerJsKernel('permute', ([x], infos, node) => gatherBy(x!, permuteOffsets(infos[0]!.shape, node.attrs.perm as number[]), node));
registerJsKernel('expand', ([x], infos, node) => gatherBy(x!, broadcastOffsets(node.shape, infos[0]!.shape), node));
registerJsKernel('slice', ([x], infos, node) => {
  const strides = stridesOf(infos[0]!.shape);
  const starts = node.attrs.starts as number[];
  const base = starts.reduce((s, v, i) => s + v * strides[i]!, 0);
  return gatherBy(x!, walk(node.shape, strides, base), node);
});
registerJsKernel('pad', ([x], infos, node) => {
  const pads = node.attrs.pads as [number, number][];
  const strides = stridesOf(node.shape);
  const base = pads.reduce((s, [before], i) => s + before * strides[i]!, 0);
  const offs = walk(infos[0]!.shape, strides, base);
  const o = allocate(node.dtype, numel(node.shape));
  for (let i = 0; i < offs.length; i++) o[offs[i]!] = x![i]!;
  return o;
});
registerJsKernel('concat', (xs, infos, node) => {
  const axis = node.attrs.axis as number;
  const outStrides = stridesOf(node.shape);
  const o = allocate(node.dtype, numel(node.shape));
  let at = 0;
  xs.forEach((x, i) => {
    const offs = walk(infos[i]!.shape, outStrides, at * outStrides[axis]!);
    for (let j = 0; j < offs.length; j++) o[offs[j]!] = x[j]!;
    at += infos[i]!.shape[axis]!;
  });
  return o;
});
