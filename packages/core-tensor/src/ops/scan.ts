import { allocate, type DType, isFloat } from '../dtype.js';
import { finish, nums, out } from '../backends/js/util.js';
import { normAxis, numel, stridesOf } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';
import { defineOp, NOT_DIFFERENTIABLE } from './table.js';

/** Running sum along an axis (torch.cumsum); `reverse` sums from the end. */
export function cumsum(x: Tensor, axis: number, reverse = false): Tensor {
  const a = normAxis('cumsum', axis, x.rank);
  return makeOp('cumsum', [x], { axis: a, reverse }, x.shape, x.dtype, isFloat(x.dtype));
}

/**
 * A tensor of x's shape filled with a value, computed in the graph from x's shape, so an exported
 * model derives it from its inputs' sizes (torch.full_like).
 */
export function fullLike(x: Tensor, value: number, dtype: DType = x.dtype): Tensor {
  return makeOp('fullLike', [x], { value, dtype }, x.shape, dtype, false);
}

/** 0, 1, 2, ... along an axis, broadcast over the other dims of x (position ids from input ids). */
export function positionsLike(x: Tensor, axis: number, dtype: DType = 'int64'): Tensor {
  return cumsum(fullLike(x, 1, dtype), axis).sub(1);
}

defineOp('cumsum', {
  grad: (dy, node) => [cumsum(dy, node.attrs.axis, !node.attrs.reverse)],
  js: ([x], infos, node) => {
    const a = nums(x!);
    const shape = infos[0]!.shape, { axis, reverse } = node.attrs;
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
  },
  onnx: (ctx, [x], n, output) => ctx.emit('CumSum', [x!, ctx.scalarInt64(n.attrs.axis)], { reverse: n.attrs.reverse ? 1 : 0 }, output),
});

/** One value of a dtype as a typed array (ConstantOfShape's fill, fullLike's kernel). */
function filled(dtype: DType, n: number, value: number) {
  const o = allocate(dtype, n);
  if (dtype === 'int64') (o as BigInt64Array).fill(BigInt(value));
  else (o as Float32Array).fill(value);
  return o;
}

defineOp('fullLike', {
  grad: NOT_DIFFERENTIABLE,
  js: (_xs, _infos, node) => filled(node.attrs.dtype, numel(node.shape), node.attrs.value),
  onnx: (ctx, [x], n, output) =>
    ctx.emit('ConstantOfShape', [ctx.emit('Shape', [x!])], { value: { tensor: { dtype: n.dtype, dims: [1], data: filled(n.dtype, 1, n.attrs.value) } } }, output),
});
