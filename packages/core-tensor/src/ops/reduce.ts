import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { finish, groups, nums, out } from '../backends/js/util.js';
import { normAxes, normAxis, numel } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';
import { binary, cast } from './elementwise.js';
import { expand, reshape } from './shape-ops.js';
import { defineOp, NOT_DIFFERENTIABLE, type OpNode, type ProgramNode } from './table.js';

export type Axes = number | readonly number[] | undefined;

export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

export type ReduceOp = 'sum' | 'max' | 'min';

/** ONNX has no bool ReduceSum/ReduceMax/ReduceMin/ArgMax/TopK (and a bool cannot hold a count). */
export function rejectBool(op: string, x: Tensor): void {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: cannot reduce a bool tensor; cast it first (e.g. to float32 or int64)`);
}

export function reduce(op: ReduceOp, x: Tensor, axes: Axes, keepdim = false): Tensor {
  rejectBool(op, x);
  const ax = normAxes(op, axes, x.rank);
  if (ax.length === 0) return x;
  if (op !== 'sum' && ax.some((a) => x.shape[a] === 0)) throw new DTypeError(`${op}: cannot reduce an empty dimension`);
  return makeOp(op, [x], { axes: ax, keepdim }, reducedShape(x.shape, ax, keepdim), x.dtype, isFloat(x.dtype));
}

export function argmax(x: Tensor, axis: number, keepdim = false): Tensor {
  rejectBool('argmax', x);
  const a = normAxis('argmax', axis, x.rank);
  if (x.shape[a] === 0) throw new DTypeError('argmax: cannot reduce an empty dimension');
  return makeOp('argmax', [x], { axis: a, keepdim }, reducedShape(x.shape, [a], keepdim), 'int64', false);
}

/** Puts the reduced dims back (size 1) and broadcasts to the input's shape. */
function unreduce(t: Tensor, node: OpNode<ReduceOp>): Tensor {
  const x = node.inputs[0]!;
  const kept = x.shape.map((d, i) => (node.attrs.axes.includes(i) ? 1 : d));
  return expand(reshape(t, kept), x.shape);
}

const REDUCERS: Record<ReduceOp, { init: number; step: (acc: number, v: number) => number }> = {
  sum: { init: 0, step: (acc, v) => acc + v },
  max: { init: -Infinity, step: (acc, v) => (acc !== acc || v !== v ? NaN : v > acc ? v : acc) },
  min: { init: Infinity, step: (acc, v) => (acc !== acc || v !== v ? NaN : v < acc ? v : acc) },
};

const keep = (n: ProgramNode<ReduceOp | 'argmax'>) => (n.attrs.keepdim ? 1 : 0);

for (const op of ['sum', 'max', 'min'] as const) {
  defineOp(op, {
    grad:
      op === 'sum'
        ? (dy, node) => [unreduce(dy, node)]
        : // The gradient goes to every position that attains the extreme, split evenly (like torch.amax).
          (dy, node, o) => {
            const x = node.inputs[0]!;
            const mask = cast(binary('equal', x, unreduce(o, node)), x.dtype);
            const count = reduce('sum', mask, node.attrs.axes, true);
            return [binary('mul', binary('div', mask, expand(count, x.shape)), unreduce(dy, node))];
          },
    js: ([x], infos, node) => {
      const { init, step } = REDUCERS[op];
      const a = nums(x!);
      const o = out(node.dtype, numel(node.shape));
      groups(infos[0]!.shape, node.attrs.axes, (i, offs) => {
        let acc = init;
        for (let j = 0; j < offs.length; j++) acc = step(acc, a[offs[j]!]!);
        o[i] = acc;
      });
      return finish(o, node.dtype);
    },
    // ReduceSum takes its axes as an input from opset 13; ReduceMax/Min only from 18 (we emit 17).
    onnx: (ctx, [x], n, output) =>
      op === 'sum'
        ? ctx.emit('ReduceSum', [x!, ctx.int64(n.attrs.axes)], { keepdims: keep(n) }, output)
        : ctx.emit(op === 'max' ? 'ReduceMax' : 'ReduceMin', [x!], { axes: n.attrs.axes, keepdims: keep(n) }, output),
  });
}

defineOp('argmax', {
  grad: NOT_DIFFERENTIABLE,
  js: ([x], infos, node) => {
    const a = nums(x!);
    const o = out('int64', numel(node.shape));
    groups(infos[0]!.shape, [node.attrs.axis], (i, offs) => {
      let best = 0;
      for (let j = 1; j < offs.length; j++) if (a[offs[j]!]! > a[offs[best]!]!) best = j;
      o[i] = best;
    });
    return finish(o, 'int64');
  },
  onnx: (ctx, [x], n, output) => ctx.emit('ArgMax', [x!], { axis: n.attrs.axis, keepdims: keep(n) }, output),
});
