/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Strides of `inShape` read broadcast against `outShape` (0 on broadcast dims). */
export function broadcastStrides(outShape: readonly number[], inShape: readonly number[]): number[] {
  const lead = outShape.length - inShape.length;
  const s = stridesOf(inShape);
  return outShape.map((_, i) => (i < lead || inShape[i - lead] === 1 ? 0 : s[i - lead]!));
}

/**
 * Drops size-1 dims and merges neighbours every operand walks contiguously, so the kernels' inner
 * loop is as long as possible (a bias add over [B, T, H] becomes rows of H, a same-shape op one row).
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const keep = dims.map((d, i) => i).filter((i) => dims[i] !== 1);
  let outDims = keep.map((i) => dims[i]!);
  let outStrides = strides.map((s) => keep.map((i) => s[i]!));
  for (let d = outDims.length - 2; d >= 0; d--) {
    if (outStrides.every((s) => s[d] === s[d + 1]! * outDims[d + 1]!)) {
      outDims = [...outDims.slice(0, d), outDims[d]! * outDims[d + 1]!, ...outDims.slice(d + 2)];
      outStrides = outStrides.map((s) => [...s.slice(0, d), s[d + 1]!, ...s.slice(d + 2)]);
    }
  }
  return { dims: outDims, strides: outStrides };
}

/** A reduction over `axes` as [outer, r, inner] of the shape's memory, if the reduced axes are one block (ignoring size-1 dims). */
export function reduceForm(shape: readonly number[], axes: readonly number[]): { outer: number; r: number; inner: number } | undefined {
  const red = shape.map((_, i) => axes.includes(i));
  // group consecutive dims by reduced-ness, ignoring size-1 dims
  const groups: { red: boolean; size: number }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = groups[groups.length - 1];
    if (last && last.red === red[i]) last.size *= d;
    else groups.push({ red: red[i]!, size: d });
  });
  if (!/^K?R?K?$/.test(groups.map((g) => (g.red ? 'R' : 'K')).join(''))) return undefined;
  const ri = groups.findIndex((g) => g.red);
  const sizes = (gs: typeof groups) => numel(gs.map((g) => g.size));
  return ri < 0 ? { outer: sizes(groups), r: 1, inner: 1 } : { outer: sizes(groups.slice(0, ri)), r: groups[ri]!.size, inner: sizes(groups.slice(ri + 1)) };
}
