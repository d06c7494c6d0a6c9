import { allocate, isFloat } from '../dtype.js';
import { DTypeError, RetrievalsError, ShapeError } from '../errors.js';
import { finish, groups, nums, out, walk } from '../backends/js/util.js';
import type { LowerContext } from '../onnx/lower.js';
import { ONNX_DTYPE } from '../onnx/model.js';
import { fmt, normAxis, numel, stridesOf } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';
import { rejectBool } from './reduce.js';
import { defineOp, NOT_DIFFERENTIABLE, type ProgramNode } from './table.js';

function checkIndex(op: string, idx: Tensor): void {
  if (idx.dtype !== 'int32' && idx.dtype !== 'int64') throw new DTypeError(`${op}: indices must be int32 or int64, got ${idx.dtype}`);
}

/** index_select generalised to any index shape: out = x.shape[:axis] + idx.shape + x.shape[axis+1:]. */
export function gather(x: Tensor, idx: Tensor, axis = 0): Tensor {
  checkIndex('gather', idx);
  const a = normAxis('gather', axis, x.rank);
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  return makeOp('gather', [x, idx], { axis: a }, shape, x.dtype, isFloat(x.dtype));
}

/** torch.gather: out[i][j] = x[i][idx[i][j]] along the axis; idx has x's rank. */
export function gatherElements(x: Tensor, idx: Tensor, axis: number): Tensor {
  checkIndex('gatherElements', idx);
  const a = normAxis('gatherElements', axis, x.rank);
  if (idx.rank !== x.rank || idx.shape.some((d, i) => i !== a && d > x.shape[i]!)) {
    throw new ShapeError(`gatherElements: index shape ${fmt(idx.shape)} does not fit ${fmt(x.shape)} along axis ${axis}`);
  }
  return makeOp('gatherElements', [x, idx], { axis: a }, idx.shape, x.dtype, isFloat(x.dtype));
}

/** Gradient of gather: rows of `updates` added into a zero tensor whose dim `axis` is `dim`. */
export function gatherGrad(idx: Tensor, updates: Tensor, axis: number, dim: number): Tensor {
  const shape = [...updates.shape.slice(0, axis), dim, ...updates.shape.slice(axis + idx.rank)];
  return makeOp('gatherGrad', [idx, updates], { axis, dim }, shape, updates.dtype);
}

/** Gradient of gatherElements: updates added into zeros(shape) at idx along the axis. */
export function scatterElementsAdd(idx: Tensor, updates: Tensor, axis: number, shape: readonly number[]): Tensor {
  return makeOp('scatterElementsAdd', [idx, updates], { axis, shape: [...shape] }, shape, updates.dtype);
}

/** Indices of the k largest (or smallest) values along an axis, sorted; no gradient. */
export function topkIndices(x: Tensor, k: number, axis = -1, largest = true): Tensor {
  rejectBool('topk', x);
  const a = normAxis('topk', axis, x.rank);
  if (!Number.isInteger(k) || k < 0 || k > x.shape[a]!) throw new ShapeError(`topk: k=${k} out of range for dim ${axis} of ${fmt(x.shape)}`);
  const shape = [...x.shape];
  shape[a] = k;
  return makeOp('topk', [x], { k, axis: a, largest }, shape, 'int64', false);
}

export function topk(x: Tensor, k: number, axis = -1, largest = true): { values: Tensor; indices: Tensor } {
  const indices = topkIndices(x, k, axis, largest);
  return { values: gatherElements(x, indices, axis), indices };
}

// ---- gradients, js kernels and ONNX lowerings of the indexing ops ----

function checked(i: number, dim: number, op: string): number {
  const j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw new RetrievalsError(`${op}: index ${i} is out of range for a dimension of size ${dim}`);
  return j;
}

/** outer × dim × inner views of gather's data around the axis. */
function around(shape: readonly number[], axis: number) {
  return { outer: numel(shape.slice(0, axis)), dim: shape[axis]!, inner: numel(shape.slice(axis + 1)) };
}

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

function zeros(ctx: LowerContext, n: ProgramNode<"gatherGrad" | "scatterElementsAdd">, shape: readonly number[]): string {
  const value = { tensor: { dtype: n.dtype, dims: [1], data: n.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) } };
  return ctx.emit('ConstantOfShape', [ctx.int64(shape)], { value });
}

function asInt64(ctx: LowerContext, name: string, n: ProgramNode<"gatherGrad" | "scatterElementsAdd">, input: number): string {
  return ctx.infos[n.inputs[input]!]!.dtype === 'int64' ? name : ctx.emit('Cast', [name], { to: ONNX_DTYPE.int64 });
}

defineOp('gather', {
  grad: (dy, node) => {
    const [x, idx] = node.inputs as [Tensor, Tensor];
    return [gatherGrad(idx, dy, node.attrs.axis, x.shape[node.attrs.axis]!), undefined];
  },
  js: ([x, i], infos, node) => {
    const idx = nums(i!);
    const { outer, dim, inner } = around(infos[0]!.shape, node.attrs.axis);
    const o = allocate(node.dtype, numel(node.shape));
    const n = idx.length;
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < n; j++) {
        const src = (a * dim + checked(idx[j]!, dim, 'gather')) * inner, dst = (a * n + j) * inner;
        for (let c = 0; c < inner; c++) o[dst + c] = x![src + c]!;
      }
    }
    return o;
  },
  onnx: (ctx, [x, i], n, output) => ctx.emit('Gather', [x!, i!], { axis: n.attrs.axis }, output),
});

defineOp('gatherGrad', {
  grad: (dy, node) => [undefined, gather(dy, node.inputs[0]!, node.attrs.axis)],
  js: ([i, u], _infos, node) => {
    const idx = nums(i!);
    const upd = u as Float32Array;
    const { outer, dim, inner } = around(node.shape, node.attrs.axis);
    const o = allocate(node.dtype, numel(node.shape)) as Float32Array;
    const n = idx.length;
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < n; j++) {
        const dst = (a * dim + checked(idx[j]!, dim, 'gather')) * inner, src = (a * n + j) * inner;
        for (let c = 0; c < inner; c++) o[dst + c]! += upd[src + c]!;
      }
    }
    return o;
  },
  // Rows of the gradient added back where gather read them: the index dims are moved to the front
  // so ScatterND (reduction add, which sums duplicate indices) can address whole rows.
  onnx: (ctx, [i, u], n, output) => {
    const { axis, dim } = n.attrs;
    const idxRank = ctx.infos[n.inputs[0]!]!.shape.length;
    const upd = ctx.infos[n.inputs[1]!]!.shape;
    const pre = upd.slice(0, axis), post = upd.slice(axis + idxRank);
    const toFront = [...Array(idxRank).keys()].map((k) => axis + k).concat([...Array(axis).keys()], [...Array(post.length).keys()].map((k) => axis + idxRank + k));
    const moved = ctx.emit('Transpose', [u!], { perm: toFront });
    const idx = ctx.emit('Unsqueeze', [asInt64(ctx, i!, n, 0), ctx.int64([-1])]);
    const scattered = ctx.emit('ScatterND', [zeros(ctx, n, [dim, ...pre, ...post]), idx, moved], { reduction: 'add' }, axis === 0 ? output : undefined);
    if (axis === 0) return scattered;
    const back = [...Array(axis).keys()].map((k) => k + 1).concat([0], [...Array(post.length).keys()].map((k) => axis + 1 + k));
    return ctx.emit('Transpose', [scattered], { perm: back }, output);
  },
});

defineOp('gatherElements', {
  grad: (dy, node) => [scatterElementsAdd(node.inputs[1]!, dy, node.attrs.axis, node.inputs[0]!.shape), undefined],
  js: ([x, i], infos, node) => {
    const offs = elementOffsets(nums(i!), infos[1]!.shape, infos[0]!.shape, node.attrs.axis, 'gatherElements');
    const o = allocate(node.dtype, offs.length);
    for (let p = 0; p < offs.length; p++) o[p] = x![offs[p]!]!;
    return o;
  },
  onnx: (ctx, [x, i], n, output) => ctx.emit('GatherElements', [x!, i!], { axis: n.attrs.axis }, output),
});

defineOp('scatterElementsAdd', {
  grad: (dy, node) => [undefined, gatherElements(dy, node.inputs[0]!, node.attrs.axis)],
  js: ([i, u], infos, node) => {
    const offs = elementOffsets(nums(i!), infos[0]!.shape, node.shape, node.attrs.axis, 'scatterElementsAdd');
    const o = allocate(node.dtype, numel(node.shape)) as Float32Array;
    const upd = u as Float32Array;
    for (let p = 0; p < offs.length; p++) o[offs[p]!]! += upd[p]!;
    return o;
  },
  onnx: (ctx, [i, u], n, output) =>
    ctx.emit('ScatterElements', [zeros(ctx, n, n.shape), asInt64(ctx, i!, n, 0), u!], { axis: n.attrs.axis, reduction: 'add' }, output),
});

defineOp('topk', {
  grad: NOT_DIFFERENTIABLE,
  js: ([x], infos, node) => {
    const a = nums(x!);
    const { k, axis, largest } = node.attrs;
    const shape = infos[0]!.shape;
    const o = out('int64', numel(node.shape));
    const outStrides = stridesOf(node.shape);
    const keptShape = shape.map((d, i) => (i === axis ? 1 : d));
    const outBases = walk(keptShape, outStrides.map((s, i) => (i === axis ? 0 : s)), 0);
    groups(shape, [axis], (g, offs) => {
      const order = Array.from(offs.keys());
      // Stable: among equal values the lower index comes first, as onnxruntime's TopK does.
      order.sort((p, q) => (largest ? a[offs[q]!]! - a[offs[p]!]! : a[offs[p]!]! - a[offs[q]!]!) || p - q);
      for (let j = 0; j < k; j++) o[outBases[g]! + j * outStrides[axis]!] = order[j]!;
    });
    return finish(o, 'int64');
  },
  onnx: (ctx, [x], n, output) => {
    const values = ctx.fresh('topk_values');
    ctx.nodes.push({ op: 'TopK', inputs: [x!, ctx.int64([n.attrs.k])], outputs: [values, output], attrs: { axis: n.attrs.axis, largest: n.attrs.largest ? 1 : 0, sorted: 1 } });
    return output;
  },
});
