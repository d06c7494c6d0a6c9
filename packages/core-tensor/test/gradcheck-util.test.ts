import { describe, expect, it } from 'vitest';
import { Generator, gradCheck, randn } from '../src/index.js';

describe('gradCheck', () => {
  it('passes a correct gradient and catches a wrong one', async () => {
    const x = randn([3, 2], new Generator(4), 1, 'float64');
    expect((await gradCheck((t) => t.mul(t).tanh(), [x])).ok).toBe(true);
    // detach hides half of d(x²)/dx, so the analytic gradient is wrong on purpose
    const bad = await gradCheck((t) => t.mul(t.detach()), [x]);
    expect(bad.ok).toBe(false);
    expect(bad.worst!.numeric).toBeCloseTo(2 * bad.worst!.analytic, 5);
  });
  it('calls a check vacuous when an input has no influence', async () => {
    const x = randn([2], new Generator(1), 1, 'float64'), y = randn([2], new Generator(2), 1, 'float64');
    const r = await gradCheck((a, b) => a.exp().add(b.mul(0)), [x, y]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/input 1 has a zero numeric gradient everywhere/);
  });
});
