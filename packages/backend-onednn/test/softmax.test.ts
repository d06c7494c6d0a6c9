/**
 * core-tensor's softmax (max, where(isFinite), sub, exp, sum, div) runs as one row kernel
 * (plan/softmax.ts, native/softmax.cc) and gives the unfused instructions' values, on the rows
 * that test the where: all -inf (0/0 = NaN, as PyTorch), a NaN, a +inf, and lengths that are not
 * a multiple of the kernel's 16 lanes; the backward reads the kernel's exp and row sums.
 */
import { backward, Generator, mul, randn, realize, softmax, sum, Tensor } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/plan/lower.js';
import { capturing as capture } from './helpers/capture.js';
import { describeOnednn, install } from './helpers/setup.js';

const rowsOf = (len: number, rows: number[][]) => {
  const data = new Float32Array(rows.length * len);
  rows.forEach((r, i) => data.set(r, i * len));
  return new Tensor({ shape: [rows.length, len], dtype: 'float32', buffer: data });
};
const wave = (len: number, k: number) => Array.from({ length: len }, (_, j) => Math.sin(j * 0.7 + k) * 3);

describeOnednn('softmax as one kernel', () => {
  for (const len of [1, 5, 16, 37, 128]) {
    it(`length ${len}: the values and gradients of the js backend, special rows included`, async () => {
      await install();
      const rows = [wave(len, 0), wave(len, 1).map((v) => v * 30), new Array<number>(len).fill(-Infinity), wave(len, 2).map((v, j) => (j === len - 1 ? Number.NaN : v)), wave(len, 3).map((v, j) => (j === 0 ? Infinity : v)), wave(len, 4).map((v, j) => (j % 2 ? -Infinity : v))];
      const run = (name: string) =>
        capture(name, async () => {
          const x = rowsOf(len, rows).requiresGrad_(true);
          const w = rowsOf(len, rows.map((_, i) => wave(len, i + 9)));
          const y = softmax(x.mul(2)); // of a computed value: a fed x and its detach() are two feeds, never matched
          backward(sum(mul(y, w)));
          await realize(y, x.grad!);
          return { y: y.dataSync() as Float32Array, g: x.grad!.dataSync() as Float32Array };
        });
      const ours = await run('onednn'), ref = await run('js');
      const instrs = ours.programs.flatMap((p) => lowerProgram(p).instrs);
      expect(instrs.map((i) => i.op)).not.toContain('max');
      // y, and the exp and row sums the backward reads
      expect(instrs.find((i) => i.op === 'softmax')?.writes).toHaveLength(3);
      for (const k of ['y', 'g'] as const) {
        const a = Array.from(ours.out[k]), b = Array.from(ref.out[k]);
        a.forEach((v, i) => {
          if (Number.isNaN(b[i]!)) expect(v, `${k}[${i}]`).toBeNaN();
          else expect(Math.abs(v - b[i]!), `${k}[${i}]: ${v} vs ${b[i]}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(b[i]!));
        });
      }
    });
  }

  it('attention scores, scale · a + mask, are made in the kernel: the values and gradients of the js backend', async () => {
    await install();
    const len = 19;
    const gen = new Generator(5);
    // mask [2, 1, 1, len]: some keys masked (-inf), all of sequence 1's keys but one, and a finite offset
    const mask = new Float32Array(2 * len).map((_, i) => (i < len ? (i % 5 === 0 ? -Infinity : 0.5) : i === len + 3 ? 0 : -Infinity));
    const run = (name: string) =>
      capture(name, async () => {
        const a = randn([2, 3, 4, len], gen).requiresGrad_(true);
        const y = softmax(a.mul(0.125).add(new Tensor({ shape: [2, 1, 1, len], dtype: 'float32', buffer: mask })));
        backward(sum(mul(y, y)));
        await realize(y, a.grad!);
        return { y: y.dataSync() as Float32Array, g: a.grad!.dataSync() as Float32Array, a: a.dataSync() as Float32Array };
      });
    const ours = await run('onednn');
    const instrs = ours.programs.flatMap((p) => lowerProgram(p).instrs);
    expect(instrs.map((i) => i.op)).toContain('softmax(scale,add)');
    // the same input on js (a re-drawn generator would differ: feed ours)
    const ref = await capture('js', async () => {
      const a = new Tensor({ shape: [2, 3, 4, len], dtype: 'float32', buffer: ours.out.a }).requiresGrad_(true);
      const y = softmax(a.mul(0.125).add(new Tensor({ shape: [2, 1, 1, len], dtype: 'float32', buffer: mask })));
      backward(sum(mul(y, y)));
      await realize(y, a.grad!);
      return { y: y.dataSync() as Float32Array, g: a.grad!.dataSync() as Float32Array };
    });
    for (const k of ['y', 'g'] as const) {
      Array.from(ours.out[k]).forEach((v, i) => expect(Math.abs(v - ref.out[k][i]!), `${k}[${i}]`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(ref.out[k][i]!)));
    }
  });

  it('the plan keeps exp and the row sums only when the backward reads them', async () => {
    await install();
    const x = rowsOf(8, [wave(8, 0), wave(8, 1)]);
    const { programs } = await capture('onednn', async () => realize(softmax(x.mul(2)).mul(2)));
    const lowered = lowerProgram(programs[0]!);
    const instr = lowered.instrs.find((i) => i.op === 'softmax')!;
    expect(instr.writes).toHaveLength(1);
    expect(lowered.instrs.map((i) => i.op)).toEqual(['mul', 'softmax', 'mul']);
  });
});
