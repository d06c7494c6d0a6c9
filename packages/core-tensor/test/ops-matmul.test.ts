/**
 * matmul and linear: batched, broadcast batch dims, transposed operands, size-1 and empty dims.
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import { add, linear, matmul, transpose } from '../src/index.js';
import { Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// matmul
// ---------------------------------------------------------------------------------------------

const rm = new Rand(10);
suite('matmul and linear', [
  {
    name: '2-D, batched, broadcast batch dims, 2-D weight under a batch, transposed operands',
    inputs: {
      a: rm.normal([3, 4]), b: rm.normal([4, 5]),
      ba: rm.normal([2, 3, 4]), bb: rm.normal([2, 4, 5]),
      ca: rm.normal([2, 1, 3, 4]), cb: rm.normal([5, 4, 2]),
      w: rm.normal([4, 6]), m2: rm.normal([5, 3]), b3: rm.normal([2, 3, 2]),
      ta: rm.normal([4, 3]), tb: rm.normal([5, 4]),
    },
    grad: ['a', 'b', 'ba', 'bb', 'ca', 'cb', 'w', 'm2', 'b3', 'ta', 'tb'],
    build: (x) => ({
      plain: matmul(x.a!, x.b!),
      batched: matmul(x.ba!, x.bb!),
      broadcastBatch: matmul(x.ca!, x.cb!), // [2,1,3,4] @ [5,4,2] → [2,5,3,2]
      weight2d: matmul(x.ba!, x.w!), // [2,3,4] @ [4,6]: the flattened weight-gradient path
      left2d: matmul(x.m2!, x.b3!), // [5,3] @ [2,3,2] → [2,5,2]
      transposedA: matmul(transpose(x.ta!), x.b!),
      transposedB: matmul(x.a!, transpose(x.tb!)),
      both: matmul(transpose(x.ta!), transpose(x.tb!)),
      method: x.a!.matmul(x.b!),
    }),
    check: (v) => expect(v.broadcastBatch!.shape).toEqual([2, 5, 3, 2]),
  },
  {
    name: 'size-1 dims: [1,4]@[4,1], [1,1]@[1,1], batch of 1',
    inputs: { a: rm.normal([1, 4]), b: rm.normal([4, 1]), s: rm.normal([1, 1]), t: rm.normal([1, 1]), c: rm.normal([1, 2, 3]), d: rm.normal([3, 1]) },
    grad: ['a', 'b', 's', 't', 'c', 'd'],
    build: (x) => ({ dot: matmul(x.a!, x.b!), outer: matmul(x.b!, x.a!), tiny: matmul(x.s!, x.t!), batch1: matmul(x.c!, x.d!) }),
  },
  {
    name: 'empty dims: m = 0, n = 0, batch = 0, and inner k = 0 (zeros)',
    inputs: { m0: rm.normal([0, 4]), w: rm.normal([4, 3]), n0: rm.normal([4, 0]), a: rm.normal([3, 4]), b0: rm.normal([0, 2, 4]), k0a: rm.normal([3, 0]), k0b: rm.normal([0, 2]) },
    build: (x) => ({ m0: matmul(x.m0!, x.w!), n0: matmul(x.a!, x.n0!), batch0: matmul(x.b0!, x.w!), k0: matmul(x.k0a!, x.k0b!) }),
    check: (v) => {
      expect(v.k0!.shape).toEqual([3, 2]);
      expect(vals(v, 'k0')).toEqual([0, 0, 0, 0, 0, 0]);
    },
  },
  {
    name: 'empty dims: gradients (m = 0 gives a zero weight gradient, k = 0 gives empty ones)',
    inputs: { m0: rm.normal([0, 4]), w: rm.normal([4, 3]), k0a: rm.normal([3, 0]), k0b: rm.normal([0, 2]), b: rm.normal([2]) },
    grad: ['m0', 'w', 'k0a', 'k0b', 'b'],
    build: (x) => ({ m0: matmul(x.m0!, x.w!), k0: add(matmul(x.k0a!, x.k0b!), x.b!) }),
    check: (v) => expect(vals(v, 'grad.w')).toEqual(new Array(12).fill(0)),
  },
  {
    name: 'linear with and without bias, batched input',
    inputs: { x: rm.normal([2, 3, 4]), w: rm.normal([5, 4]), b: rm.normal([5]) },
    grad: ['x', 'w', 'b'],
    build: ({ x, w, b }) => ({ withBias: linear(x!, w!, b!), noBias: linear(x!, w!) }),
  },
]);
