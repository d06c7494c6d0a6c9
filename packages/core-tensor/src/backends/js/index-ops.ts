import { allocate } from '../../dtype.js';
import { RetrievalsError } from '../../errors.js';
import { numel, stridesOf } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { nums } from './util.js';

function checked(i: number, dim: number, op: string): number {
  const j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw new RetrievalsError(`${op}: index ${i} is out of range for a dimension of size ${dim}`);
  return j;
}

/** outer × dim × inner views of gather's data around the axis. */
function around(shape: readonly number[], axis: number) {
  return { outer: numel(shape.slice(0, axis)), dim: shape[axis]!, inner: numel(shape.slice(axis + 1)) };
}

registerJsKernel('gather', ([x, i], infos, node) => {
  const idx = nums(i!);
  const { outer, dim, inner } = around(infos[0]!.shape, node.attrs.axis as number);
  const o = allocate(node.dtype, numel(node.shape));
  const n = idx.length;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < n; j++) {
      const src = (a * dim + checked(idx[j]!, dim, 'gather')) * inner, dst = (a * n + j) * inner;
      for (let c = 0; c < inner; c++) o[dst + c] = x![src + c]!;
    }
  }
  return o;
});

registerJsKernel('gatherGrad', ([i, u], infos, node) => {
  const idx = nums(i!);
  const upd = u as Float32Array;
  const { outer, dim, inner } = around(node.shape, node.attrs.axis as number);
  const o = allocate(node.dtype, numel(node.shape)) as Float32Array;
  const n = idx.length;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < n; j++) {
      const dst = (a * dim + checked(idx[j]!, dim, 'gather')) * inner, src = (a * n + j) * inner;
      for (let c = 0; c < inner; c++) o[dst + c]! += upd[src + c]!;
    }
  }
  return o;
});

/** Maps each element of the index tensor to the flat offset it addresses in a tensor of `shape`. */
function elementOffsets(idx: ArrayLike<number>, idxShape: readonly number[], shape: readonly number[], axis: number, op: string): Int32Array {
  const strides = stridesOf(shape);
  const idxStrides = stridesOf(idxShape);
  const offs = new Int32Array(idx.length);
  for (let p = 0; p < idx.length; p++) {
    let off = 0, rem = p;
    for (let d = 0; d < idxShape.length; d++) {
      const c = Math.floor(rem / idxStrides[d]!);
      rem -= c * idxStrides[d]!;
      off += (d === axis ? checked(idx[p]!, shape[d]!, op) : c) * strides[d]!;
    }
    offs[p] = off;
  }
  return offs;
}

registerJsKernel('gatherElements', ([x, i], infos, node) => {
  const offs = elementOffsets(nums(i!), infos[1]!.shape, infos[0]!.shape, node.attrs.axis as number, 'gatherElements');
  const o = allocate(node.dtype, offs.length);
  for (let p = 0; p < offs.length; p++) o[p] = x![offs[p]!]!;
  return o;
});

registerJsKernel('scatterElementsAdd', ([i, u], infos, node) => {
  const offs = elementOffsets(nums(i!), infos[0]!.shape, node.shape, node.attrs.axis as number, 'scatterElementsAdd');
  const o = allocate(node.dtype, numel(node.shape)) as Float32Array;
  const upd = u as Float32Array;
  for (let p = 0; p < offs.length; p++) o[offs[p]!]! += upd[p]!;
  return o;
});
