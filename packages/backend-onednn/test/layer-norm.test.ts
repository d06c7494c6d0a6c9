/**
 * core-tensor's layerNorm (sum/L, sub, mul, sum/L, add eps, sqrt, reciprocal, mul, weight, bias)
 * runs as one row kernel (plan/layer-norm.ts, native/layer-norm.cc), with the residual add that
 * makes its input as a prologue, and gives the js backend's values and gradients: with and
 * without weight and bias, a constant row (variance 0) and rows of 1, 7 and 384.
 */
import { add, backward, Generator, layerNorm, mul, randn, realize, sum, Tensor } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/plan/lower.js';
import { capturing } from './helpers/capture.js';
import { describeOnednn, install } from './helpers/setup.js';

type Variant = 'plain' | 'affine' | 'residual';

/** layerNorm on `name` of fixed inputs, with the gradients of every input; the instructions it ran. */
async function run(name: string, variant: Variant, inputs: Float32Array[], L: number) {
  const { out, programs } = await capturing(name, async () => {
    const rows = inputs[0]!.length / L;
    const [a, b] = inputs.slice(0, 2).map((d) => new Tensor({ shape: [rows, L], dtype: 'float32', buffer: d }).requiresGrad_(true));
    const [w, bias] = inputs.slice(2).map((d) => new Tensor({ shape: [L], dtype: 'float32', buffer: d }).requiresGrad_(true));
    const x = variant === 'residual' ? add(a!, b!) : a!.mul(1);
    const y = variant === 'plain' ? layerNorm(x) : layerNorm(x, w, bias);
    backward(sum(mul(y, b!.detach())));
    const grads = [a!, ...(variant === 'residual' ? [b!] : []), ...(variant === 'plain' ? [] : [w!, bias!])].map((t) => t.grad!);
    await realize(y, ...grads);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
  return { out, ops: programs.flatMap((p) => lowerProgram(p).instrs.map((i) => i.op)) };
}

describeOnednn('layerNorm as one kernel', () => {
  for (const L of [1, 7, 384])
    for (const variant of ['plain', 'affine', 'residual'] as const) {
      it(`${variant}, rows of ${L}: the js backend's values and gradients`, async () => {
        await install();
        const gen = new Generator(L);
        const draw = (n: number, scale: number) => (randn([n], gen).dataSync() as Float32Array).map((v) => v * scale);
        const a = draw(5 * L, 3);
        a.fill(2.5, L, 2 * L); // a constant row: variance 0, r = 1/sqrt(eps)
        const inputs = [a, draw(5 * L, 1), draw(L, 1), draw(L, 1)];
        const ours = await run('onednn', variant, inputs, L), ref = await run('js', variant, inputs, L);
        expect(ours.ops).toContain(variant === 'residual' ? 'layerNorm(add)' : 'layerNorm');
        expect(ours.ops.filter((op) => op === 'layerNorm' || op === 'layerNorm(add)')).toHaveLength(1);
        ours.out.forEach((t, k) =>
          t.forEach((v, i) => expect(Math.abs(v - ref.out[k]![i]!), `output ${k} [${i}]: ${v} vs ${ref.out[k]![i]}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(ref.out[k]![i]!))),
        );
      });
    }
});
