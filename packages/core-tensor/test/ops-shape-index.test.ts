/**
 * Shape ops (reshape, permute, transpose, expand, squeeze, slice, pad, concat, stack, split) and
 * indexing (gather, embedding, indexSelect, gatherElements, topk).
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import {
  concat, embedding, expand, gather, gatherElements, indexSelect, max, min, pad, permute, reshape, slice, split, squeeze, stack, sum, topk, topkIndices, transpose, unsqueeze,
} from '../src/index.js';
import { type Case, data, Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// Shape ops
// ---------------------------------------------------------------------------------------------

const rs = new Rand(11);
suite('shape ops', [
  {
    name: 'reshape (with -1), permute, transpose, expand, squeeze, unsqueeze',
    inputs: { x: rs.normal([2, 3, 4]), c: rs.normal([3, 1]), o: rs.normal([1, 3, 1]), s: rs.normal([]) },
    grad: ['x', 'c', 'o', 's'],
    build: ({ x, c, o, s }) => ({
      reshape: reshape(x!, [4, -1]), reshapeFlat: x!.reshape([-1]), permute: permute(x!, [2, 0, 1]), permuteNeg: x!.permute([-1, -3, -2]),
      transpose: transpose(x!), transpose02: transpose(x!, 0, 2), expand: expand(c!, [2, 3, 5]), expandKeep: c!.expand([-1, 4]),
      expandScalar: expand(s!, [2, 2]), squeezeAll: squeeze(o!), squeeze0: o!.squeeze(0), unsqueeze: unsqueeze(x!, -1), unsqueeze0: c!.unsqueeze(0),
    }),
    check: (v) => expect(v.expand!.shape).toEqual([2, 3, 5]),
  },
  {
    name: 'slice (negative and out-of-range bounds, empty result), pad',
    inputs: { x: rs.normal([3, 5]), y: rs.normal([2, 3, 4]) },
    grad: ['x', 'y'],
    build: ({ x, y }) => ({
      mid: slice(x!, 1, 1, 4), neg: slice(x!, -1, -3), oor: slice(x!, 0, -10, 10).mul(2), rows: x!.slice(0, 1, 2), empty: slice(x!, 1, 3, 1),
      inner: slice(y!, 1, 1), pad: pad(x!, [[1, 0], [2, 3]]), pad3: pad(y!, [[0, 0], [1, 1], [0, 2]]),
    }),
    check: (v) => expect(v.empty!.shape).toEqual([3, 0]),
  },
  {
    name: 'pad and slice of empty dims',
    inputs: { e: rs.normal([0, 3]), x: rs.normal([2, 3]) },
    build: ({ e, x }) => ({ padEmpty: pad(e!, [[1, 1], [0, 1]]), sliceToEmpty: slice(x!, 0, 1, 1), padToFromEmpty: pad(slice(x!, 1, 2, 2), [[0, 0], [2, 0]]) }),
    check: (v) => expect(vals(v, 'padEmpty')).toEqual(new Array(8).fill(0)),
  },
  {
    name: 'concat (3 inputs, negative axis, an empty piece), stack, split',
    inputs: { a: rs.normal([2, 3]), b: rs.normal([2, 1]), c: rs.normal([2, 4]), e: rs.normal([2, 0]), d: rs.normal([2, 3]), x: rs.normal([7, 2]) },
    grad: ['a', 'b', 'c', 'd', 'x'],
    build: ({ a, b, c, e, d, x }) => {
      const [p, q, w] = split(x!, [2, 4, 1]);
      const parts = split(x!, 3); // 3, 3, 1
      return {
        concat: concat([a!, b!, c!], 1), concatNeg: concat([a!, e!, b!], -1), concat0: concat([a!, d!]),
        stack: stack([a!, d!]), stackLast: stack([a!, d!], -1),
        p: p!, q: q!.mul(1), w: w!, part0: parts[0]!, part1: parts[1]!, part2: parts[2]!,
      };
    },
    check: (v) => {
      expect(v.concat!.shape).toEqual([2, 8]);
      expect(v.stackLast!.shape).toEqual([2, 3, 2]);
      expect(v.part2!.shape).toEqual([1, 2]);
    },
  },
  {
    name: 'shape ops on int64 and bool tensors',
    inputs: { i: rs.ints([2, 3], -9, 9), b: rs.bools([2, 3]) },
    build: ({ i, b }) => ({
      permute: transpose(i!), concat: concat([i!, i!], 1), pad: pad(i!, [[1, 0], [0, 1]]), slice: slice(i!, 1, 1), expand: expand(reshape(i!, [2, 1, 3]), [2, 2, 3]),
      bPermute: transpose(b!), bConcat: concat([b!, b!]), bSlice: slice(b!, 1, 0, 2), bExpand: expand(unsqueeze(b!, 0), [2, 2, 3]),
      bPad: pad(b!, [[0, 1], [1, 0]]), bGather: gather(b!, data([1, 0, 1], [3], 'int64'), 1), iGather: gather(i!, data([1, 1], [2], 'int32')),
    }),
  },
  {
    name: 'integer reductions (sum/max/min) and topk on int32/int64',
    inputs: { i: rs.ints([3, 4], -50, 50, 'int32'), l: rs.ints([3, 4], -50, 50, 'int64') },
    build: ({ i, l }) => ({
      iSum: sum(i!, 1), iMax: max(i!, 0), iMin: min(i!), lSum: sum(l!, [0, 1], true), lMax: max(l!, -1), lMin: min(l!, 0),
      iTop: topkIndices(i!, 2), lTop: topk(l!, 2, 0, false).values,
    }),
  },
]);

// ---------------------------------------------------------------------------------------------
// Indexing
// ---------------------------------------------------------------------------------------------

const ri = new Rand(12);
suite('gather, embedding, indexSelect, gatherElements, topk', [
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `gather/embedding/indexSelect with ${dtype} ids (repeated, negative, 2-D, scalar, empty)`,
      inputs: {
        w: ri.normal([5, 3]),
        x: ri.normal([2, 4, 3]),
        ids: data([1, 3, 1, 0, 4, 1], [2, 3], dtype),
        flat: data([4, 0, 0, 2], [4], dtype),
        neg: data([-1, 0, -5], [3], dtype),
        one: data([2], [], dtype),
        none: data([], [0], dtype),
        ax1: data([3, 3, 0, 1], [2, 2], dtype),
      },
      grad: ['w', 'x'],
      build: ({ w, x, ids, flat, neg, one, none, ax1 }) => ({
        embedding: embedding(w!, ids!), indexSelect0: indexSelect(w!, 0, flat!), indexSelect1: indexSelect(x!, 1, flat!.slice(0, 1, 3)),
        negative: gather(w!, neg!), scalar: gather(x!, one!, 1), empty: gather(w!, none!), axis1: gather(x!, ax1!, 1), last: x!.gather(neg!.slice(0, 0, 2), -1),
      }),
      check: (v) => {
        expect(v.axis1!.shape).toEqual([2, 2, 2, 3]);
        expect(v.scalar!.shape).toEqual([2, 3]);
        // ids [-1, 0, -5] address rows 4, 0, 0: the first three rows of indexSelect([4, 0, 0, 2])
        expect(vals(v, 'negative')).toEqual(vals(v, 'indexSelect0').slice(0, 9));
      },
    }),
  ),
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `gatherElements with ${dtype} indices along axes 0 and 1 (repeats, smaller index shape)`,
      inputs: { x: ri.normal([3, 4]), i0: ri.ints([2, 4], 0, 3, dtype), i1: ri.ints([3, 6], 0, 4, dtype), small: ri.ints([2, 2], -4, 4, dtype) },
      grad: ['x'],
      build: ({ x, i0, i1, small }) => ({ axis0: gatherElements(x!, i0!, 0), axis1: gatherElements(x!, i1!, 1), small: gatherElements(x!, small!, -1) }),
    }),
  ),
  {
    name: 'topk values and indices: largest/smallest, axis -1 and 0, k = full dim, k = 0, size-1',
    inputs: { x: ri.distinct([3, 6]), one: ri.distinct([1, 5]) },
    grad: ['x', 'one'],
    build: ({ x, one }) => {
      const a = topk(x!, 2), b = topk(x!, 2, 0, false), c = topk(x!, 6, -1, false), z = topk(x!, 0), o = topk(one!, 3, 1);
      return {
        aV: a.values, aI: a.indices, bV: b.values, bI: b.indices, cV: c.values, cI: c.indices, zV: z.values, oV: o.values, oI: o.indices,
        idx: topkIndices(one!, 1, 0),
      };
    },
    check: (v) => {
      const row = vals(v, 'aV').slice(0, 2);
      expect(row[0]!).toBeGreaterThan(row[1]!);
    },
  },
  {
    name: 'topk with ties keeps the lower index first',
    inputs: { x: data([1, 3, 3, 2, 5, 5, 5, 0], [2, 4]) },
    build: ({ x }) => ({ largest: topk(x!, 2).indices, smallest: topkIndices(x!, 2, -1, false) }),
    check: (v) => expect(vals(v, 'largest')).toEqual([1, 2, 0, 1]),
  },
]);
