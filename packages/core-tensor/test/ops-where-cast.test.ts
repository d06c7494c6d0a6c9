/**
 * where, maskedFill, clamp and cast (integer, bool, float64, float16 and bfloat16).
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { expect } from 'vitest';
import { cast, clamp, maskedFill, mul, Tensor, toFloat, where } from '../src/index.js';
import { data, Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// where / maskedFill / clamp / cast
// ---------------------------------------------------------------------------------------------

const rw = new Rand(7);
suite('where, maskedFill, clamp, cast', [
  {
    name: 'where: cond [3,1], a [1,4], b [] (three-way broadcast), literal branches, empty cond',
    inputs: { c: rw.bools([3, 1]), c2: rw.bools([2, 3, 4]), a: rw.normal([1, 4]), b: rw.normal([]), x: rw.normal([3, 4]), e: rw.bools([0, 4]) },
    grad: ['a', 'b', 'x'],
    build: ({ c, c2, a, b, x, e }) => ({
      three: where(c!, a!, b!), litA: where(c2!, 2, x!), litB: where(c2!, x!, -1), method: x!.where(c!, a!), empty: where(e!, a!, b!),
    }),
  },
  {
    name: 'where on int64 and bool branches',
    inputs: { c: rw.bools([2, 3]), a: rw.ints([2, 3], -5, 5), b: rw.ints([1, 3], -5, 5), p: rw.bools([2, 3]), q: rw.bools([3]) },
    build: ({ c, a, b, p, q }) => ({ int: where(c!, a!, b!), lit: where(c!, a!, 7), bool: where(c!, p!, q!) }),
  },
  {
    name: 'maskedFill with broadcast masks, a large negative and -Infinity',
    inputs: { x: rw.normal([3, 4]), m1: rw.bools([3, 1]), m2: rw.bools([1, 4]), m3: rw.bools([3, 4]) },
    grad: ['x'],
    build: ({ x, m1, m2, m3 }) => ({ rows: maskedFill(x!, m1!, -1e9), cols: maskedFill(x!, m2!, 0.5), inf: maskedFill(x!, m3!, -Infinity), method: x!.maskedFill(m2!, 3) }),
  },
  {
    name: 'clamp: min only, max only, both (method too)',
    inputs: { x: rw.normal([4, 5], { std: 2 }) },
    grad: ['x'],
    build: ({ x }) => ({ lo: clamp(x!, -0.5), hi: clamp(x!, undefined, 0.75), both: clamp(x!, -1, 1), method: x!.clamp(0, 2) }),
    check: (v) => expect(Math.max(...vals(v, 'both'))).toBeLessThanOrEqual(1),
  },
  {
    name: 'cast float32 → int32/int64 (truncation), bool, float64; ints and bools → float32; int64 ↔ int32',
    inputs: {
      f: data([-2.7, -1.5, -0.5, 0, 0.5, 1.5, 2.7, 100.9, -0, 3], [2, 5]),
      i64: data([-3, 0, 5, 123456], [4], 'int64'),
      i32: data([-3, 0, 5, 123456], [4], 'int32'),
      b: data([1, 0, 1], [3], 'bool'),
      e: data([], [0, 2]),
    },
    build: ({ f, i64, i32, b, e }) => ({
      toI32: cast(f!, 'int32'), toI64: cast(f!, 'int64'), toBool: cast(f!, 'bool'), toF64: cast(f!, 'float64'),
      fromI64: toFloat(i64!), fromI32: cast(i32!, 'float32'), fromBool: cast(b!, 'float32'), boolToI64: cast(b!, 'int64'),
      i64ToI32: cast(i64!, 'int32'), i32ToI64: i32!.cast('int64'), roundTrip: cast(cast(f!, 'float64'), 'float32'), empty: cast(e!, 'int64'),
    }),
    check: (v) => {
      expect(vals(v, 'toI32')).toEqual([-2, -1, 0, 0, 0, 1, 2, 100, 0, 3]);
      expect(vals(v, 'toBool')).toEqual([1, 1, 1, 0, 1, 1, 1, 1, 0, 1]);
    },
  },
  {
    // bfloat16 only inside the graph: onnxruntime-node cannot feed or fetch bfloat16 tensors.
    name: 'cast float32 → float16 (fetched) and → bfloat16 → float32 (round to nearest even); float16 fed → float32',
    inputs: {
      f: data([1, -2.5, 1 / 3, 65504, 1e-6, -7.1234567, 3.14159, 0.1, 1 + 2 ** -8, 1 + 3 * 2 ** -8], [10]),
      h: new Tensor({ shape: [3], dtype: 'float16', buffer: new Uint16Array([0x3c00, 0xc100, 0x0001]) }),
    },
    build: ({ f, h }) => ({ f16: cast(f!, 'float16'), f16back: cast(cast(f!, 'float16'), 'float32'), bf16back: cast(cast(f!, 'bfloat16'), 'float32'), fromF16: cast(h!, 'float32') }),
    check: (v) => {
      // ties to even: 1 + 2^-8 → 1, 1 + 3·2^-8 → 1 + 2^-6 in bfloat16 (7 mantissa bits)
      expect(vals(v, 'bf16back').slice(8)).toEqual([1, 1 + 2 ** -6]);
      expect(vals(v, 'fromF16')).toEqual([1, -2.5, 2 ** -24]);
    },
    rtol: 0,
    atol: 0,
  },
  {
    name: 'cast gradient float32 → float64 → float32',
    inputs: { x: rw.normal([3, 4]) },
    grad: ['x'],
    build: ({ x }) => ({ y: cast(mul(cast(x!, 'float64'), 3), 'float32') }),
  },
]);
