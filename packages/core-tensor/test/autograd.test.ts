import { describe, expect, it } from 'vitest';
import { backward, noGrad, realize, setBackend, tensor, zeroGrad, RetrievalsError, type Tensor } from '../src/index.js';

setBackend('js');
const values = (t: Tensor) => t.toArray();

describe('autograd semantics', () => {
  it('accumulates gradients across backward calls, also after a realisation, until zeroGrad', async () => {
    const w = tensor([1, 2, 3]).requiresGrad_();
    w.mul(2).sum().backward();
    w.mul(w).sum().backward();
    expect(await values(w.grad!)).toEqual([4, 6, 8]);
    w.sum().backward();
    await realize(w.grad!);
    expect(await values(w.grad!)).toEqual([5, 7, 9]);
    zeroGrad([w]);
    expect(w.grad).toBeUndefined();
  });

  it('records nothing under noGrad and stops at detach', async () => {
    const w = tensor([1, 2]).requiresGrad_();
    const y = noGrad(() => w.mul(3));
    expect(y.requiresGrad).toBe(false);
    const z = w.detach().mul(w).sum();
    z.backward();
    expect(await values(w.grad!)).toEqual([1, 2]);
  });

  it('restores grad mode after an async noGrad', async () => {
    await noGrad(async () => {
      await Promise.resolve();
    });
    expect(tensor([1]).requiresGrad_().mul(2).requiresGrad).toBe(true);
  });

  it('gives a gradient to a tensor used twice, through broadcasting', async () => {
    const b = tensor([[1], [2]]).requiresGrad_(); // [2,1] broadcast against [2,3]
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    x.mul(b).add(b).sum().backward();
    expect(await values(b.grad!)).toEqual([9, 18]);
  });

  it('explains misuse', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
    expect(() => backward(tensor([1, 2]).requiresGrad_().mul(1))).toThrow(/give the gradient of a non-scalar output \[2\]/);
    expect(() => tensor([1]).mul(2).requiresGrad_()).toThrow(RetrievalsError);
    expect(() => tensor([1]).dataSync()).not.toThrow();
    expect(() => tensor([1]).mul(2).dataSync()).toThrow(/not realised yet/);
  });
});

describe('activations at their edges', () => {
  it("relu's gradient at 0 is 0, as in PyTorch", async () => {
    const x = tensor([-1, 0, 2]).requiresGrad_();
    x.relu().sum().backward();
    expect(await x.grad!.toArray()).toEqual([0, 0, 1]);
  });
  it('softplus keeps e^x far below zero instead of rounding to 0', async () => {
    const [a, b] = await tensor([-20, 30]).softplus().toArray();
    expect(a! / Math.exp(-20)).toBeCloseTo(1, 5);
    expect(b).toBeCloseTo(30, 5);
  });
});
