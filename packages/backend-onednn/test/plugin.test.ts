/**
 * The plugin path a third party uses: the default export installs 'onednn' and 'onednn-bf16', and
 * RETRIEVALS_BACKEND / withBackend find them by name; runs happen off the JS thread; an op the
 * lowering does not know fails naming it; the arena reuses memory by liveness.
 */
import { backends, gather, Generator, matmul, randn, realize, resolveBackend, Tensor, withBackend, NotImplementedError } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import plugin, { createOnednnBackend, OnednnRunError, OnednnUnavailableError } from '../src/index.js';
import { ArenaPlanner } from '../src/plan/arena.js';
import { lowerProgram } from '../src/plan/lower.js';
import { encodePlan } from '../src/plan/encode.js';
import { describeOnednn, install } from './helpers/setup.js';

it('the default export is a plugin registering onednn and onednn-bf16', async () => {
  expect(plugin.name).toBe('@retrievals/backend-onednn');
  await install();
  expect(backends.sourceOf('onednn')).toBe('@retrievals/backend-onednn');
  expect(backends.get('onednn-bf16').name).toBe('onednn-bf16');
  const before = process.env.RETRIEVALS_BACKEND;
  process.env.RETRIEVALS_BACKEND = 'onednn';
  try {
    expect(resolveBackend().name).toBe('onednn');
  } finally {
    if (before === undefined) delete process.env.RETRIEVALS_BACKEND;
    else process.env.RETRIEVALS_BACKEND = before;
  }
});

it('an unavailable addon is an error naming what to install', () => {
  const e = new OnednnUnavailableError('onednn backend: the native addon is not built: install oneDNN (apt-get install libdnnl-dev)');
  expect(e.name).toBe('OnednnUnavailableError');
  expect(e.message).toContain('apt-get install libdnnl-dev');
});

it('an op the lowering does not know is a NotImplementedError naming it', () => {
  const program = { key: 'k', feeds: [{ shape: [2], dtype: 'float32' }], consts: [], nodes: [{ op: 'fancyOp', inputs: [0], attrs: {}, shape: [2], dtype: 'float32' }], outputs: [1] } as never;
  expect(() => lowerProgram(program)).toThrow(NotImplementedError);
  expect(() => lowerProgram(program)).toThrow(/fancyOp/);
});

it('the arena reuses the bytes of values whose last reader has run', () => {
  const a = new ArenaPlanner();
  const x = a.alloc(1000), y = a.alloc(1000);
  a.release(x, 1000);
  expect(a.alloc(500)).toBe(x);
  a.release(y, 1000);
  expect(a.top).toBe(2048);
  // a chain of 10 same-size values (cumsum: not fused) needs two slots, not nine
  const chain = { key: 'c', feeds: [{ shape: [256], dtype: 'float32' }], consts: [], nodes: Array.from({ length: 10 }, (_, i) => ({ op: 'cumsum', inputs: [i], attrs: { axis: 0, reverse: false }, shape: [256], dtype: 'float32' })), outputs: [10] } as never;
  const lowered = lowerProgram(chain);
  const { arenaBytes, unplannedBytes } = encodePlan(chain, lowered);
  expect(arenaBytes).toBeLessThan(unplannedBytes);
});

describeOnednn('runs', () => {
  it('run off the JS thread: timers fire while a large program computes', async () => {
    await install();
    const gen = new Generator(0);
    const a = randn([1024, 1024], gen), b = randn([1024, 1024], gen);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await withBackend('onednn', async () => {
      let y = matmul(a, b);
      for (let i = 0; i < 6; i++) y = matmul(y.mul(1e-2), b);
      await realize(y);
    });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('an index out of range fails the run with the js backend\'s message, and the next run works', async () => {
    await install();
    const w = randn([5, 3], new Generator(2));
    const bad = new Tensor({ shape: [2], dtype: 'int64', buffer: BigInt64Array.from([1n, 7n]) });
    await expect(withBackend('onednn', async () => realize(gather(w, bad).mul(2)))).rejects.toThrow(/gather: index 7 is out of range for a dimension of size 5/);
    await expect(withBackend('onednn', async () => realize(gather(w, bad).mul(2)))).rejects.toBeInstanceOf(OnednnRunError);
    const ok = new Tensor({ shape: [2], dtype: 'int64', buffer: BigInt64Array.from([1n, 4n]) });
    const y = await withBackend('onednn', async () => {
      const t = gather(w, ok).mul(2);
      await realize(t);
      return t;
    });
    expect(y.shape).toEqual([2, 3]);
  });

  it('a backend made with createOnednnBackend counts compiles, cache hits and fusions', async () => {
    const be = createOnednnBackend({ name: 'onednn-stats' });
    if (!backends.has('onednn-stats')) backends.register('onednn-stats', be);
    const gen = new Generator(1);
    const x = randn([8, 16], gen), w = randn([4, 16], gen), bias = randn([4], gen);
    for (let i = 0; i < 2; i++) await withBackend('onednn-stats', async () => realize(matmul(x, w.transpose()).add(bias).exp().mul(2)));
    expect(be.stats).toMatchObject({ compiles: 1, cacheHits: 1, runs: 2, fusedTransposes: 1, fusedBiases: 1, fusedElementwise: 2 });
  });
});

it('a permute of a matmul is the matmul writing it (swapped operands or dst strides), and Wᵀ transposed back reads W', () => {
  const f32 = (shape: number[]) => ({ shape, dtype: 'float32' });
  const node = (op: string, inputs: number[], shape: number[], attrs = {}) => ({ op, inputs, attrs, shape, dtype: 'float32' });
  const ops = (feeds: number[][], nodes: ReturnType<typeof node>[], outputs: number[]) =>
    lowerProgram({ key: 'p', feeds: feeds.map(f32), consts: [], nodes, outputs } as never).instrs.map((i) => i.op);
  // (a·b)ᵀ
  expect(ops([[5, 7], [7, 3]], [node('matmul', [0, 1], [5, 3]), node('permute', [2], [3, 5], { perm: [1, 0] })], [3])).toEqual(['matmul']);
  // attention's heads merged back: [B, H, T, d] → [B, T, H, d]
  expect(ops([[2, 3, 5, 4], [2, 3, 4, 6]], [node('matmul', [0, 1], [2, 3, 5, 6]), node('permute', [2], [2, 5, 3, 6], { perm: [0, 2, 1, 3] })], [3])).toEqual(['matmul']);
  // the product read elsewhere too: the permute stays a copy
  expect(ops([[5, 7], [7, 3]], [node('matmul', [0, 1], [5, 3]), node('permute', [2], [3, 5], { perm: [1, 0] })], [2, 3])).toEqual(['matmul', 'permute']);
  // dX = dY·(Wᵀ)ᵀ of a linear: no copy of Wᵀ
  expect(
    ops([[4, 3], [5, 3]], [node('permute', [1], [3, 5], { perm: [1, 0] }), node('matmul', [0, 2], [4, 5]), node('permute', [2], [5, 3], { perm: [1, 0] }), node('matmul', [3, 4], [4, 3])], [5]),
  ).toEqual(['matmul', 'matmul']);
});

it('a bf16 plan stores as bf16 the values matmuls write and only matmuls read', () => {
  const f32 = (shape: number[]) => ({ shape, dtype: 'float32' });
  const node = (op: string, inputs: number[], shape: number[], attrs = {}) => ({ op, inputs, attrs, shape, dtype: 'float32' });
  // h = x·w (read by two matmuls), u = h·w2, g = x·w3 (read by an add too), y = u + g
  const program = {
    key: 'p', feeds: [f32([4, 6]), f32([6, 6]), f32([6, 6]), f32([6, 6])], consts: [],
    nodes: [node('matmul', [0, 1], [4, 6]), node('matmul', [4, 2], [4, 6]), node('matmul', [4, 4], [4, 6]), node('matmul', [0, 3], [4, 6]), node('add', [5, 7], [4, 6]), node('add', [6, 8], [4, 6])],
    outputs: [9],
  } as never;
  const dtypes = (bf16: boolean) => lowerProgram(program, { bf16 }).values.slice(4, 10).map((v) => v.dtype);
  expect(dtypes(true)).toEqual(['bfloat16', 'float32', 'float32', 'float32', 'float32', 'float32']);
  expect(dtypes(false).every((d) => d === 'float32')).toBe(true);
});

it('a bf16 plan stores elementwise values of bf16 inputs as bf16, but not what a program output is computed from', () => {
  const f32 = (shape: number[]) => ({ shape, dtype: 'float32' });
  const node = (op: string, inputs: number[], shape: number[], attrs = {}) => ({ op, inputs, attrs, shape, dtype: 'float32' });
  // x, w1, w2, g, w3, w4; u = x·w1, a = gelu(u), y = a·w2, d = g·w3, du = d·exp(u), z = du·w4, out = y + z
  const program = {
    key: 'p', feeds: [f32([4, 6]), f32([6, 8]), f32([8, 6]), f32([4, 6]), f32([6, 8]), f32([8, 6])], consts: [],
    nodes: [
      node('matmul', [0, 1], [4, 8]), node('gelu', [6], [4, 8], { approximate: 'none' }), node('matmul', [7, 2], [4, 6]), node('matmul', [3, 4], [4, 8]),
      node('exp', [6], [4, 8]), node('mul', [9, 10], [4, 8]), node('matmul', [11, 5], [4, 6]), node('add', [8, 12], [4, 6]),
    ],
    outputs: [13],
  } as never;
  const { values, instrs } = lowerProgram(program, { bf16: true });
  // u, a, d and du in bf16 (exp(u) lives inside the fused group); y and z feed the output's add
  expect(values.slice(6, 14).map((v) => v.dtype)).toEqual(['bfloat16', 'bfloat16', 'float32', 'bfloat16', 'float32', 'bfloat16', 'float32', 'float32']);
  // the fused group's and gelu's dtype words say so (native reads them)
  const group = instrs.find((i) => i.op === 'fused(exp,mul)')!;
  expect(group.dtypeWords!.map((d) => group.words[d.word])).toEqual([6, 6, 6]);
  const g = instrs.find((i) => i.op === 'gelu')!;
  expect([g.words[2], g.words[3]]).toEqual([6, 6]);
  // a matmul output that only elementwise ops turn into a program output (a loss) stays float32
  const loss = { key: 'q', feeds: [f32([4, 6]), f32([6, 8])], consts: [], nodes: [node('matmul', [0, 1], [4, 8]), node('exp', [2], [4, 8])], outputs: [3] } as never;
  expect(lowerProgram(loss, { bf16: true }).values[2]!.dtype).toBe('float32');
});
