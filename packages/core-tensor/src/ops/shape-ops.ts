import { allocate, type TypedArray } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastOffsets, permuteOffsets, walk } from '../backends/js/util.js';
import { fmt, normAxis, numel, sameShape, stridesOf } from '../shape.js';
import { makeOp, type Tensor } from '../tensor.js';
import { sumTo } from './sum-to.js';
import { defineOp } from './table.js';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const infer = shape.indexOf(-1);
  if (shape.lastIndexOf(-1) !== infer) throw new ShapeError(`reshape: at most one -1 in ${fmt(shape)}`);
  let out = [...shape];
  if (infer >= 0) {
    const known = numel(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot infer -1 in ${fmt(shape)} for ${x.size} elements of ${fmt(x.shape)}`);
    out[infer] = x.size / known;
  }
  if (numel(out) !== x.size) throw new ShapeError(`reshape: ${fmt(x.shape)} (${x.size} elements) cannot become ${fmt(shape)}`);
  if (sameShape(out, x.shape)) return x;
  return makeOp('reshape', [x], { shape: out }, out, x.dtype);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis('permute', a, x.rank));
  if (p.length !== x.rank || new Set(p).size !== p.length) throw new ShapeError(`permute: [${perm}] is not a permutation of ${x.rank} axes`);
  if (p.every((a, i) => a === i)) return x;
  return makeOp('permute', [x], { perm: p }, p.map((a) => x.shape[a]!), x.dtype);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = [...Array(x.rank).keys()];
  const i = normAxis('transpose', a, x.rank), j = normAxis('transpose', b, x.rank);
  [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  return permute(x, perm);
}

/** Broadcasts to a shape (new leading dims allowed), like torch.expand / broadcast_to. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.rank) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to fewer dims ${fmt(shape)}`);
  const off = shape.length - x.rank;
  const out = shape.map((d, i) => (d === -1 ? (x.shape[i - off] ?? 1) : d));
  x.shape.forEach((d, i) => {
    if (d !== 1 && d !== out[i + off]) throw new ShapeError(`expand: dim ${i} of ${fmt(x.shape)} is ${d}, cannot become ${out[i + off]} of ${fmt(shape)}`);
  });
  if (sameShape(out, x.shape)) return x;
  return makeOp('expand', [x], { shape: out }, out, x.dtype);
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.rank);
  if (x.shape[a] !== 1) throw new ShapeError(`squeeze: dim ${axis} of ${fmt(x.shape)} is not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** x[start:end] along one axis (negative and out-of-range bounds clamp, like Python slices). */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const a = normAxis('slice', axis, x.rank);
  const d = x.shape[a]!;
  const clamp = (v: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
  const s = clamp(start), e = Math.max(s, clamp(end ?? d));
  if (s === 0 && e === d) return x;
  const starts = x.shape.map(() => 0), ends = [...x.shape];
  starts[a] = s;
  ends[a] = e;
  return makeOp('slice', [x], { starts, ends }, ends.map((v, i) => v - starts[i]!), x.dtype);
}

/** Zero padding: `pads[i] = [before, after]` for each axis. */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  if (pads.length !== x.rank || pads.some(([b, e]) => b < 0 || e < 0)) throw new ShapeError(`pad: need [before, after] ≥ 0 for each of ${x.rank} dims`);
  if (pads.every(([b, e]) => b === 0 && e === 0)) return x;
  return makeOp('pad', [x], { pads: pads.map((p) => [...p]) }, x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]), x.dtype);
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: no tensors');
  const first = xs[0]!;
  const a = normAxis('concat', axis, first.rank);
  for (const t of xs) {
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: dtypes differ (${first.dtype} and ${t.dtype})`);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${xs.map((u) => fmt(u.shape)).join(', ')} differ outside axis ${axis}`);
    }
  }
  if (xs.length === 1) return first;
  const shape = [...first.shape];
  shape[a] = xs.reduce((s, t) => s + t.shape[a]!, 0);
  return makeOp('concat', [...xs], { axis: a }, shape, first.dtype);
}

export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('stack: no tensors');
  const a = normAxis('stack', axis, xs[0]!.rank + 1);
  for (const t of xs) if (!sameShape(t.shape, xs[0]!.shape)) throw new ShapeError(`stack: shapes ${xs.map((u) => fmt(u.shape)).join(', ')} differ`);
  return concat(xs.map((t) => unsqueeze(t, a)), a);
}

/** Splits into pieces of the given sizes (or equal pieces of one size) along an axis. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis('split', axis, x.rank);
  const d = x.shape[a]!;
  const list = typeof sizes === 'number' ? Array.from({ length: Math.ceil(d / sizes) }, (_, i) => Math.min(sizes, d - i * sizes)) : [...sizes];
  if (list.reduce((s, v) => s + v, 0) !== d) throw new ShapeError(`split: sizes [${list}] do not add up to dim ${axis} = ${d} of ${fmt(x.shape)}`);
  let at = 0;
  return list.map((n) => slice(x, a, at, (at += n)));
}

// ---- gradients, js kernels and ONNX lowerings of the layout ops ----

function gatherBy(src: TypedArray, offs: Int32Array, node: { dtype: Parameters<typeof allocate>[0] }): TypedArray {
  const o = allocate(node.dtype, offs.length);
  for (let i = 0; i < offs.length; i++) o[i] = src[offs[i]!]!;
  return o;
}

defineOp('reshape', {
  grad: (dy, node) => [reshape(dy, node.inputs[0]!.shape)],
  js: ([x]) => x!.slice(),
  onnx: (ctx, [x], n, output) => ctx.emit('Reshape', [x!, ctx.int64(n.shape)], { allowzero: 1 }, output),
});

defineOp('permute', {
  grad: (dy, node) => {
    const inv = new Array<number>(node.attrs.perm.length);
    node.attrs.perm.forEach((p, i) => (inv[p] = i));
    return [permute(dy, inv)];
  },
  js: ([x], infos, node) => gatherBy(x!, permuteOffsets(infos[0]!.shape, node.attrs.perm), node),
  onnx: (ctx, [x], n, output) => ctx.emit('Transpose', [x!], { perm: n.attrs.perm }, output),
});

defineOp('expand', {
  grad: (dy, node) => [sumTo(dy, node.inputs[0]!.shape)],
  js: ([x], infos, node) => gatherBy(x!, broadcastOffsets(node.shape, infos[0]!.shape), node),
  onnx: (ctx, [x], n, output) => ctx.emit('Expand', [x!, ctx.int64(n.shape)], undefined, output),
});

defineOp('slice', {
  grad: (dy, node) => {
    const { starts, ends } = node.attrs;
    return [pad(dy, node.inputs[0]!.shape.map((d, i) => [starts[i]!, d - ends[i]!] as [number, number]))];
  },
  js: ([x], infos, node) => {
    const strides = stridesOf(infos[0]!.shape);
    const base = node.attrs.starts.reduce((s, v, i) => s + v * strides[i]!, 0);
    return gatherBy(x!, walk(node.shape, strides, base), node);
  },
  onnx: (ctx, [x], n, output) => {
    const { starts, ends } = n.attrs;
    const inShape = ctx.infos[n.inputs[0]!]!.shape;
    const axes = starts.map((_, i) => i).filter((i) => starts[i] !== 0 || ends[i] !== inShape[i]);
    return ctx.emit('Slice', [x!, ctx.int64(axes.map((i) => starts[i]!)), ctx.int64(axes.map((i) => ends[i]!)), ctx.int64(axes)], undefined, output);
  },
});

defineOp('pad', {
  grad: (dy, node) => {
    let g = dy;
    node.attrs.pads.forEach(([before], i) => (g = slice(g, i, before, before + node.inputs[0]!.shape[i]!)));
    return [g];
  },
  js: ([x], infos, node) => {
    const strides = stridesOf(node.shape);
    const base = node.attrs.pads.reduce((s, [before], i) => s + before * strides[i]!, 0);
    const offs = walk(infos[0]!.shape, strides, base);
    const o = allocate(node.dtype, numel(node.shape));
    for (let i = 0; i < offs.length; i++) o[offs[i]!] = x![i]!;
    return o;
  },
  onnx: (ctx, [x], n, output) => {
    const pads = n.attrs.pads;
    return ctx.emit('Pad', [x!, ctx.int64([...pads.map((p) => p[0]), ...pads.map((p) => p[1])])], { mode: 'constant' }, output);
  },
});

defineOp('concat', {
  grad: (dy, node) => {
    const axis = node.attrs.axis;
    let at = 0;
    return node.inputs.map((x: Tensor) => {
      const g = slice(dy, axis, at, at + x.shape[axis]!);
      at += x.shape[axis]!;
      return x.requiresGrad ? g : undefined;
    });
  },
  js: (xs, infos, node) => {
    const axis = node.attrs.axis;
    const outStrides = stridesOf(node.shape);
    const o = allocate(node.dtype, numel(node.shape));
    let at = 0;
    xs.forEach((x, i) => {
      const offs = walk(infos[i]!.shape, outStrides, at * outStrides[axis]!);
      for (let j = 0; j < offs.length; j++) o[offs[j]!] = x[j]!;
      at += infos[i]!.shape[axis]!;
    });
    return o;
  },
  onnx: (ctx, xs, n, output) => ctx.emit('Concat', xs, { axis: n.attrs.axis }, output),
});
