import { describe, expect, it } from 'vitest';
import { AdamW, getBackend, isGradEnabled, noGrad, randn, Generator, realize, resolveBackend, tensor, withBackend, type Tensor } from '../src/index.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

/** One step of w ← w − lr·∇(Σ (x·w)²) built and run, returning the gradient the optimizer saw. */
async function trainStep(w: Tensor, x: Tensor): Promise<number[]> {
  await tick(); // let the other task enter its noGrad region first
  const loss = x.mul(w).pow(2).sum();
  loss.backward();
  const grad = w.grad!;
  await realize(grad);
  return Array.from(grad.dataSync() as Float32Array);
}

describe('execution context', () => {
  it('noGrad in one async task does not switch off gradients in another', async () => {
    const x = tensor([1, 2, 3]);
    const w = tensor([0.5, -1, 2]).requiresGrad_();
    let insideNoGrad = true;
    const evaluation = noGrad(async () => {
      await tick();
      await tick();
      insideNoGrad = isGradEnabled();
      return (await x.mul(w).sum().data())[0];
    });
    const [grad, value] = await Promise.all([trainStep(w, x), evaluation]);
    // d/dw Σ (x·w)² = 2·x²·w, exactly
    expect(grad).toEqual([1, -8, 36]);
    expect(value).toBeCloseTo(4.5, 6);
    expect(insideNoGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it('an optimizer step built beside a pending noGrad encode trains exactly as alone', async () => {
    const gen = new Generator(3);
    const run = async (beside: boolean) => {
      const w = randn([4, 4], new Generator(1)).requiresGrad_();
      const x = randn([2, 4], new Generator(2));
      const opt = new AdamW([w], { lr: 0.1 });
      const other = beside ? noGrad(async () => { await tick(); await tick(); return randn([3, 4], gen).matmul(w).data(); }) : Promise.resolve();
      await tick();
      const loss = x.matmul(w).pow(2).mean();
      loss.backward();
      await opt.step(loss);
      await other;
      return Array.from(w.dataSync() as Float32Array);
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('withBackend is scoped to its own async task', async () => {
    const seen: string[] = [];
    await Promise.all([
      withBackend('js', async () => { await tick(); seen.push(`a:${getBackend().name}`); }),
      (async () => { await tick(); seen.push(`b:${getBackend().name}`); })(),
      withBackend('ort', async () => { await tick(); seen.push(`c:${getBackend().name}`); }),
    ]);
    expect(seen.sort()).toEqual(['a:js', `b:${resolveBackend().name}`, 'c:ort']);
    expect(withBackend('js', () => getBackend().name)).toBe('js');
    expect(resolveBackend('js').name).toBe('js');
    expect(() => withBackend('nope', () => 0)).toThrow(/unknown backend 'nope'; known: js, ort/);
  });

  it('realize takes a backend by name', async () => {
    const t = tensor([1, 2]).mul(3);
    await realize([t], { backend: 'js' });
    expect(Array.from(t.dataSync() as Float32Array)).toEqual([3, 6]);
  });
});
