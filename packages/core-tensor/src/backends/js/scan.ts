import { allocate, type DType } from '../../dtype.js';
import { numel, stridesOf } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { finish, nums, out } from './util.js';

registerJsKernel('cumsum', ([x], infos, node) => {
  const a = nums(x!);
  const shape = infos[0]!.shape, axis = node.attrs.axis as number, reverse = node.attrs.reverse as boolean;
  const o = out(node.dtype, a.length);
  const stride = stridesOf(shape)[axis]!, dim = shape[axis]!;
  const outer = numel(shape.slice(0, axis));
  for (let p = 0; p < outer; p++) {
    for (let c = 0; c < stride; c++) {
      let acc = 0;
      for (let s = 0; s < dim; s++) {
        const i = p * dim * stride + (reverse ? dim - 1 - s : s) * stride + c;
        acc += a[i]!;
        o[i] = acc;
      }
    }
  }
  return finish(o, node.dtype);
});

registerJsKernel('fullLike', (_xs, _infos, node) => {
  const dtype = node.attrs.dtype as DType;
  const o = allocate(dtype, numel(node.shape));
  if (dtype === 'int64') (o as BigInt64Array).fill(BigInt(node.attrs.value as number));
  else (o as Float32Array).fill(node.attrs.value as number);
  return o;
});
