import { allocate } from '../dtype.js';
import { ONNX_DTYPE } from './model.js';
import { registerOnnxLowering as reg, type LowerContext } from './lower.js';
import type { ProgramNode } from '../program.js';

const SIMPLE: Record<string, string> = {
  neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', abs: 'Abs', tanh: 'Tanh', sigmoid: 'Sigmoid', erf: 'Erf',
  reciprocal: 'Reciprocal', sin: 'Sin', cos: 'Cos', sign: 'Sign', identity: 'Identity', not: 'Not',
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min',
  equal: 'Equal', less: 'Less', greater: 'Greater', and: 'And', or: 'Or', matmul: 'MatMul',
};
for (const [op, onnx] of Object.entries(SIMPLE)) reg(op, (ctx, ins, _n, out) => ctx.emit(onnx, ins, undefined, out));

reg('cast', (ctx, [x], node, out) => ctx.emit('Cast', [x!], { to: ONNX_DTYPE[node.dtype] }, out));

// onnxruntime has no bool Where kernel: bool branches are selected as uint8.
reg('where', (ctx, [c, a, b], n, out) => {
  if (n.dtype !== 'bool') return ctx.emit('Where', [c!, a!, b!], undefined, out);
  const u8 = (v: string) => ctx.emit('Cast', [v], { to: ONNX_DTYPE.uint8 });
  return ctx.emit('Cast', [ctx.emit('Where', [c!, u8(a!), u8(b!)])], { to: ONNX_DTYPE.bool }, out);
});

const keep = (n: ProgramNode) => (n.attrs.keepdim ? 1 : 0);
reg('sum', (ctx, [x], n, out) => ctx.emit('ReduceSum', [x!, ctx.int64(n.attrs.axes as number[])], { keepdims: keep(n) }, out));
reg('max', (ctx, [x], n, out) => ctx.emit('ReduceMax', [x!], { axes: n.attrs.axes as number[], keepdims: keep(n) }, out));
reg('min', (ctx, [x], n, out) => ctx.emit('ReduceMin', [x!], { axes: n.attrs.axes as number[], keepdims: keep(n) }, out));
reg('argmax', (ctx, [x], n, out) => ctx.emit('ArgMax', [x!], { axis: n.attrs.axis as number, keepdims: keep(n) }, out));
reg('topk', (ctx, [x], n, out) => {
  const values = ctx.fresh('topk_values');
  ctx.nodes.push({
    op: 'TopK',
    inputs: [x!, ctx.int64([n.attrs.k as number])],
    outputs: [values, out],
    attrs: { axis: n.attrs.axis as number, largest: n.attrs.largest ? 1 : 0, sorted: 1 },
  });
  return out;
});

reg('reshape', (ctx, [x], n, out) => ctx.emit('Reshape', [x!, ctx.int64(n.shape)], { allowzero: 1 }, out));
reg('permute', (ctx, [x], n, out) => ctx.emit('Transpose', [x!], { perm: n.attrs.perm as number[] }, out));
reg('expand', (ctx, [x], n, out) => ctx.emit('Expand', [x!, ctx.int64(n.shape)], undefined, out));
reg('slice', (ctx, [x], n, out) => {
  const starts = n.attrs.starts as number[], ends = n.attrs.ends as number[];
  const inShape = ctx.infos[n.inputs[0]!]!.shape;
  const axes = starts.map((_, i) => i).filter((i) => starts[i] !== 0 || ends[i] !== inShape[i]);
  return ctx.emit('Slice', [x!, ctx.int64(axes.map((i) => starts[i]!)), ctx.int64(axes.map((i) => ends[i]!)), ctx.int64(axes)], undefined, out);
});
reg('pad', (ctx, [x], n, out) => {
  const pads = n.attrs.pads as [number, number][];
  return ctx.emit('Pad', [x!, ctx.int64([...pads.map((p) => p[0]), ...pads.map((p) => p[1])])], { mode: 'constant' }, out);
});
reg('concat', (ctx, xs, n, out) => ctx.emit('Concat', xs, { axis: n.attrs.axis as number }, out));
reg('gather', (ctx, [x, i], n, out) => ctx.emit('Gather', [x!, i!], { axis: n.attrs.axis as number }, out));
reg('gatherElements', (ctx, [x, i], n, out) => ctx.emit('GatherElements', [x!, i!], { axis: n.attrs.axis as number }, out));

function zeros(ctx: LowerContext, n: ProgramNode, shape: readonly number[]): string {
  const value = { tensor: { dtype: n.dtype, dims: [1], data: n.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) } };
  return ctx.emit('ConstantOfShape', [ctx.int64(shape)], { value });
}

function asInt64(ctx: LowerContext, name: string, n: ProgramNode, input: number): string {
  return ctx.infos[n.inputs[input]!]!.dtype === 'int64' ? name : ctx.emit('Cast', [name], { to: ONNX_DTYPE.int64 });
}

// Rows of the gradient added back where gather read them: the index dims are moved to the front
// so ScatterND (reduction add, which sums duplicate indices) can address whole rows.
reg('gatherGrad', (ctx, [i, u], n, out) => {
  const axis = n.attrs.axis as number, dim = n.attrs.dim as number;
  const idxRank = ctx.infos[n.inputs[0]!]!.shape.length;
  const upd = ctx.infos[n.inputs[1]!]!.shape;
  const pre = upd.slice(0, axis), post = upd.slice(axis + idxRank);
  const toFront = [...Array(idxRank).keys()].map((k) => axis + k).concat([...Array(axis).keys()], [...Array(post.length).keys()].map((k) => axis + idxRank + k));
  const moved = ctx.emit('Transpose', [u!], { perm: toFront });
  const idx = ctx.emit('Unsqueeze', [asInt64(ctx, i!, n, 0), ctx.int64([-1])]);
  const scattered = ctx.emit('ScatterND', [zeros(ctx, n, [dim, ...pre, ...post]), idx, moved], { reduction: 'add' }, axis === 0 ? out : undefined);
  if (axis === 0) return scattered;
  const back = [...Array(axis).keys()].map((k) => k + 1).concat([0], [...Array(post.length).keys()].map((k) => axis + 1 + k));
  return ctx.emit('Transpose', [scattered], { perm: back }, out);
});

reg('scatterElementsAdd', (ctx, [i, u], n, out) =>
  ctx.emit('ScatterElements', [zeros(ctx, n, n.shape), asInt64(ctx, i!, n, 0), u!], { axis: n.attrs.axis as number, reduction: 'add' }, out),
);

// onnxruntime's fused contrib kernels; the tanh form is FastGelu (same constants as PyTorch's).
// FastGelu rejects rank 0, so a scalar goes through as [1].
reg('gelu', (ctx, [x], n, out) => {
  const op = n.attrs.approximate === 'tanh' ? 'FastGelu' : 'Gelu';
  const scalar = n.shape.length === 0;
  const y = scalar ? ctx.fresh('gelu') : out;
  ctx.nodes.push({ op, inputs: [scalar ? ctx.emit('Reshape', [x!, ctx.int64([1])]) : x!], outputs: [y], domain: 'com.microsoft' });
  return scalar ? ctx.emit('Reshape', [y, ctx.int64([])], undefined, out) : out;
});

reg('cumsum', (ctx, [x], n, out) =>
  ctx.emit('CumSum', [x!, ctx.scalarInt64(n.attrs.axis as number)], { reverse: n.attrs.reverse ? 1 : 0 }, out),
);
reg('fullLike', (ctx, [x], n, out) => {
  const dtype = n.dtype;
  const data = allocate(dtype, 1);
  if (dtype === 'int64') (data as BigInt64Array)[0] = BigInt(n.attrs.value as number);
  else data[0] = n.attrs.value as number;
  return ctx.emit('ConstantOfShape', [ctx.emit('Shape', [x!])], { value: { tensor: { dtype, dims: [1], data } } }, out);
});
