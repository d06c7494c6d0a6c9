/**
 * Reductions sum/mean/max/min/logsumexp over axes, keepdim, size-1 and empty dims; argmax.
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import { argmax, logsumexp, max, mean, min, sum, type Tensor } from '../src/index.js';
import { type Case, data, Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

const rr = new Rand(8);
type ReduceFn = (x: Tensor, axes?: number | number[], keepdim?: boolean) => Tensor;
const REDUCE_FNS: Record<string, ReduceFn> = { sum, mean, max, min, logsumexp };
const REDUCE_CONFIGS: [string, number | number[] | undefined, boolean][] = [
  ['all', undefined, false],
  ['all keepdim', undefined, true],
  ['axis 0', 0, false],
  ['axis -1 keepdim', -1, true],
  ['axes [0,2]', [0, 2], false],
  ['axes [2,0] keepdim', [2, 0], true],
  ['axis 1', [1], false],
];

suite(
  'reductions sum/mean/max/min/logsumexp over axes, keepdim, size-1 and empty dims',
  Object.entries(REDUCE_FNS).map(([name, fn]): Case => {
    const canReduceEmpty = name === 'sum' || name === 'mean';
    return {
      name,
      inputs: { x: rr.distinct([2, 3, 4]), one: rr.distinct([1, 3]), empty: rr.normal([0, 3]), wide: rr.distinct([3, 0]) },
      grad: ['x', 'one', ...(canReduceEmpty ? ['empty'] : [])],
      build: ({ x, one, empty, wide }) => {
        const outs: Record<string, Tensor> = {};
        for (const [label, axes, keep] of REDUCE_CONFIGS) outs[label] = fn(x!, axes, keep);
        outs['size-1 axis 0'] = fn(one!, 0);
        outs['size-1 axis 1 keepdim'] = fn(one!, 1, true);
        outs['empty: non-empty axis'] = fn(wide!, 0); // [3,0] over axis 0 → [0]
        if (canReduceEmpty) {
          outs['empty: over the empty axis'] = fn(empty!, 0); // sum → zeros, mean → NaN
          outs['empty: all'] = fn(empty!);
          outs['empty: axis 1'] = fn(empty!, 1, true);
        }
        return outs;
      },
      check: (v) => {
        expect(v['axes [2,0] keepdim']!.shape).toEqual([1, 3, 1]);
        expect(v['empty: non-empty axis']!.shape).toEqual([0]);
        if (name === 'sum') expect(vals(v, 'empty: over the empty axis')).toEqual([0, 0, 0]);
      },
    };
  }),
);

suite('reductions: methods, -Infinity, argmax', [
  {
    name: 'reduction methods (x.sum/mean/max/min/logsumexp)',
    inputs: { x: rr.distinct([3, 5]) },
    grad: ['x'],
    build: ({ x }) => ({ sum: x!.sum(1), mean: x!.mean(0, true), max: x!.max(-1), min: x!.min(), lse: x!.logsumexp(1, true) }),
  },
  {
    name: 'logsumexp and max with -Infinity entries and an all -Infinity row',
    inputs: { x: data([-Infinity, 1, 2, -Infinity, -Infinity, -Infinity, 0.5, -Infinity, -3], [3, 3]) },
    build: ({ x }) => ({ lse: logsumexp(x!, 1), max: max(x!, 1), lseAll: logsumexp(x!) }),
    check: (v) => {
      expect(vals(v, 'lse')[1]).toBe(-Infinity);
      expect(vals(v, 'lse')[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2)), 5);
    },
  },
  {
    name: 'argmax over each axis, keepdim, int32 input, size-1 dim',
    inputs: { x: rr.distinct([2, 3, 4]), i: rr.ints([3, 5], -100, 100, 'int32'), one: rr.distinct([1, 4]) },
    build: ({ x, i, one }) => ({
      a0: argmax(x!, 0), a1: argmax(x!, 1, true), aLast: argmax(x!, -1), int: argmax(i!, 1), one: argmax(one!, 0), method: x!.argmax(2, true),
    }),
  },
  {
    name: 'argmax ties pick the first index',
    inputs: { x: data([3, 1, 3, 2, 5, 5, 7, 0, 7], [3, 3]) },
    build: ({ x }) => argmax(x!, 1),
    check: (v) => expect(vals(v, 'out')).toEqual([0, 1, 0]),
  },
]);
