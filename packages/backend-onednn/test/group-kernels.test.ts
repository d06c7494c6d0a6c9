/**
 * The loops that replace two fused groups (plan/gelu-grad.ts: gelu's backward; plan/adamw.ts:
 * AdamW's update), the row chains (plan/row-chains.ts: layerNorm's and softmax's gradients),
 * column sums of products and a table's two gathered gradients as one (plan/gradient-sums.ts)
 * compute what the instructions alone compute, bit for bit: the same training step's program
 * lowered with and without them, both plans run on the same feeds, in fp32 and in bf16 plans
 * (where the gelu gradient reads bf16 operands and writes bf16 or a bf16 copy).
 */
import { AdamW, add, backends, backward, gather, gelu, Generator, layerNorm, matmul, mul, randn, softmax, sum, Tensor, withBackend } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { loadAddon } from '../src/addon.js';
import { encodePlan } from '../src/plan/encode.js';
import { lowerProgram } from '../src/plan/lower.js';
import type { Feeds, Program } from '../src/program-types.js';
import { describeOnednn, install } from './helpers/setup.js';

/** One AdamW step of y = layerNorm(softmax(gelu(x·w1)·w2)), x = emb[ids1] + emb[ids2], on `backend`: its program and feeds. */
async function stepProgram(backend: string): Promise<{ program: Program; feeds: Feeds }> {
  const gen = new Generator(9);
  const leaf = (shape: number[]) => new Tensor({ shape, dtype: 'float32', buffer: randn(shape, gen).dataSync() as Float32Array }).requiresGrad_(true);
  const ids = () => new Tensor({ shape: [6, 9], dtype: 'int64', buffer: BigInt64Array.from({ length: 54 }, () => BigInt(Math.floor(gen.uniform() * 30))) });
  const emb = leaf([30, 24]), ids1 = ids(), ids2 = ids();
  const w1 = leaf([24, 72]), w2 = leaf([72, 16]), gamma = leaf([16]), beta = leaf([16]), target = randn([6, 9, 16], gen);
  const opt = new AdamW([emb, w1, w2, gamma, beta], { lr: 1e-2 });
  const be = backends.get(backend);
  const original = be.run;
  let seen: { program: Program; feeds: Feeds } | undefined;
  be.run = (p, f) => ((seen = { program: p as Program, feeds: f as Feeds }), original.call(be, p, f));
  try {
    await withBackend(backend, async () => {
      const x = add(gather(emb, ids1), gather(emb, ids2));
      const loss = sum(mul(layerNorm(softmax(matmul(gelu(matmul(x, w1)), w2)), gamma, beta), target));
      backward(loss);
      await opt.step(loss);
    });
  } finally {
    be.run = original;
  }
  return seen!;
}

async function runLowered(program: Program, feeds: Feeds, bf16: boolean, groupKernels: boolean) {
  const lowered = lowerProgram(program, { bf16, groupKernels });
  const { stream } = encodePlan(program, lowered);
  const addon = loadAddon();
  const plan = await addon.compile(stream, program.consts.map((c) => c.data), bf16);
  const outs = await addon.run(plan, feeds);
  return { ops: lowered.instrs.map((i) => i.op), outs: outs.map((b) => new Uint8Array(b)) };
}

describeOnednn('group kernels', () => {
  for (const [backend, bf16] of [['onednn', false], ['onednn-bf16', true]] as const) {
    it(`${backend}: the gelu-gradient and AdamW loops and the row chains give the plain instructions' results bit for bit`, async () => {
      await install();
      const { program, feeds } = await stepProgram(backend);
      const loops = await runLowered(program, feeds, bf16, true), groups = await runLowered(program, feeds, bf16, false);
      expect(loops.ops).toContain('geluGrad');
      expect(loops.ops.filter((o) => o === 'adamw')).toHaveLength(5);
      // the table's two gradients (duplicate ids included) as one instruction
      expect(loops.ops).toContain('gatherGrad(add)');
      expect(groups.ops.filter((o) => o === 'gatherGrad')).toHaveLength(2);
      // layerNorm's gradient (two row sums among groups over [6, 9, 16] and [6, 9, 1]) and then
      // softmax's (one more), over the same rows: one chain
      const chains = loops.ops.filter((o) => o.startsWith('rows('));
      expect(chains).toHaveLength(1);
      expect(chains[0]!.match(/ sum/g)).toHaveLength(3);
      expect(groups.ops).not.toContain('geluGrad');
      expect(groups.ops.some((o) => o.startsWith('rows('))).toBe(false);
      // layerNorm's weight gradient, Σ dy·n, summed as the products are made
      expect(loops.ops).toContain('sum(mul)');
      expect(groups.ops).not.toContain('sum(mul)');
      loops.outs.forEach((o, k) => expect(Buffer.from(o).equals(Buffer.from(groups.outs[k]!)), `output ${k}`).toBe(true));
    });
  }
});
