/**
 * cumsum, fullLike and positionsLike.
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import { cumsum, fullLike, positionsLike } from '../src/index.js';
import { type Case, data, Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// Scans: cumsum, fullLike, positionsLike
// ---------------------------------------------------------------------------------------------

const rc = new Rand(14);
suite('cumsum, fullLike, positionsLike', [
  {
    name: 'cumsum (float32) along each axis, reversed, size-1 and empty dims',
    inputs: { x: rc.normal([2, 3, 4]), one: rc.normal([1, 5]), empty: rc.normal([0, 3]), wide: rc.normal([3, 0]) },
    grad: ['x', 'one', 'empty'],
    build: ({ x, one, empty, wide }) => ({
      a0: cumsum(x!, 0), a1: cumsum(x!, 1), aLast: cumsum(x!, -1), rev: cumsum(x!, 2, true), rev0: cumsum(x!, 0, true),
      one0: cumsum(one!, 0), one1: cumsum(one!, 1, true), empty: cumsum(empty!, 1), emptyAxis: cumsum(wide!, 1),
    }),
    check: (v) => {
      expect(v.emptyAxis!.shape).toEqual([3, 0]);
      // reversed cumsum's first element is the plain cumsum's last, along the same axis
      expect(vals(v, 'rev')[0]).toBeCloseTo(vals(v, 'aLast')[3]!, 5);
    },
  },
  ...(['int32', 'int64'] as const).map(
    (dtype): Case => ({
      name: `cumsum on ${dtype}, positionsLike`,
      inputs: { i: rc.ints([2, 5], -5, 5, dtype), mask: data([0, 0, 1, 1, 1, 1, 1, 1, 1, 0], [2, 5], dtype) },
      build: ({ i, mask }) => ({
        cum: cumsum(i!, 1), cumRev: cumsum(i!, 0, true), fromMask: cumsum(mask!, 1).sub(1).maximum(0),
        pos: positionsLike(i!, 1), pos0: positionsLike(i!, 0, 'int32'), posF: positionsLike(mask!, 1, 'float32'),
      }),
      check: (v) => expect(vals(v, 'pos')).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]),
    }),
  ),
  {
    name: 'fullLike in several dtypes, of an empty tensor, of a lazy tensor',
    inputs: { x: rc.normal([2, 3]), e: rc.normal([0, 4]) },
    build: ({ x, e }) => ({
      f: fullLike(x!, 2.5), i64: fullLike(x!, -3, 'int64'), i32: fullLike(x!, 7, 'int32'), b: fullLike(x!, 1, 'bool'), empty: fullLike(e!, 1),
      lazy: fullLike(x!.mul(2).sum(0), -1), neg: fullLike(x!, -Infinity),
    }),
    check: (v) => expect(vals(v, 'lazy')).toEqual([-1, -1, -1]),
  },
]);
