import { describe, expect, it } from 'vitest';
import { schedulers } from '../src/index.js';

describe('schedulers', () => {
  it('linear warms up then decays to zero like transformers.get_linear_schedule_with_warmup', () => {
    const f = schedulers.get('linear')({ warmupSteps: 10, totalSteps: 110 });
    expect([0, 5, 10, 60, 110, 200].map(f)).toEqual([0, 0.5, 1, 0.5, 0, 0]);
  });
  it('cosine reaches half way at the middle of decay', () => {
    const f = schedulers.get('cosine')({ warmupSteps: 0, totalSteps: 100 });
    expect(f(0)).toBe(1);
    expect(f(50)).toBeCloseTo(0.5, 12);
    expect(f(100)).toBeCloseTo(0, 12);
  });
  it('constant keeps the warm-up and answers to its alias', () => {
    const f = schedulers.get('constant_with_warmup')({ warmupSteps: 4, totalSteps: 10 });
    expect([0, 2, 4, 9].map(f)).toEqual([0, 0.5, 1, 1]);
  });
  it('an unknown name lists the known ones', () => {
    expect(() => schedulers.get('cosine_restarts')).toThrow(/unknown scheduler 'cosine_restarts'; known: constant, cosine, linear/);
  });
});
