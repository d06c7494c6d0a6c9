import { numel, stridesOf } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { finish, nums, out, walk } from './util.js';

/** Iterates each reduced group: calls visit(outIndex, inputOffsets) for every output element. */
function groups(shape: readonly number[], axes: readonly number[], visit: (o: number, offs: Int32Array) => void): void {
  const strides = stridesOf(shape);
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = strides.map((s, i) => (axes.includes(i) ? 0 : s));
  const bases = walk(keptShape, keptStrides, 0);
  const inner = walk(
    axes.map((a) => shape[a]!),
    axes.map((a) => strides[a]!),
    0,
  );
  const offs = new Int32Array(inner.length);
  for (let o = 0; o < bases.length; o++) {
    for (let j = 0; j < inner.length; j++) offs[j] = bases[o]! + inner[j]!;
    visit(o, offs);
  }
}

const REDUCERS: Record<string, { init: number; step: (acc: number, v: number) => number }> = {
  sum: { init: 0, step: (acc, v) => acc + v },
  max: { init: -Infinity, step: (acc, v) => (acc !== acc || v !== v ? NaN : v > acc ? v : acc) },
  min: { init: Infinity, step: (acc, v) => (acc !== acc || v !== v ? NaN : v < acc ? v : acc) },
};
for (const [op, { init, step }] of Object.entries(REDUCERS)) {
  registerJsKernel(op, ([x], infos, node) => {
    const a = nums(x!);
    const o = out(node.dtype, numel(node.shape));
    groups(infos[0]!.shape, node.attrs.axes as number[], (i, offs) => {
      let acc = init;
      for (let j = 0; j < offs.length; j++) acc = step(acc, a[offs[j]!]!);
      o[i] = acc;
    });
    return finish(o, node.dtype);
  });
}

registerJsKernel('argmax', ([x], infos, node) => {
  const a = nums(x!);
  const o = out('int64', numel(node.shape));
  groups(infos[0]!.shape, [node.attrs.axis as number], (i, offs) => {
    let best = 0;
    for (let j = 1; j < offs.length; j++) if (a[offs[j]!]! > a[offs[best]!]!) best = j;
    o[i] = best;
  });
  return finish(o, 'int64');
});

registerJsKernel('topk', ([x], infos, node) => {
  const a = nums(x!);
  const { k, axis, largest } = node.attrs as { k: number; axis: number; largest: boolean };
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
});
