import { describe, expect, it } from 'vitest';
import { defineScheduler, schedulers } from '../src/index.js';

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
  it('create takes the run length as options and checks them with its own', () => {
    const f = schedulers.create({ name: 'cosine', warmupSteps: 0, totalSteps: 100, numCycles: 1 });
    expect(f(50)).toBeCloseTo(0, 12); // one full cycle: back at the base rate only at the end
    expect(f(100)).toBeCloseTo(1, 12);
    expect(() => schedulers.create({ name: 'linear', warmupSteps: 2 })).toThrow("scheduler linear: option 'totalSteps' is required");
    expect(() => schedulers.create({ name: 'linear', totalSteps: 10, warmupSteps: -1 })).toThrow("scheduler linear: option 'warmupSteps' must be an integer ≥ 0, got -1");
    expect(() => schedulers.create({ name: 'linear', totalSteps: 10, numCycles: 2 })).toThrow("scheduler linear: unknown option 'numCycles'; known: warmupSteps, totalSteps");
    expect(() => schedulers.create({ name: 'linear', totalSteps: 10 })(-1)).toThrow('scheduler linear: step must be an integer ≥ 0, got -1');
    expect(schedulers.sourceOf('constant_with_warmup')).toBe('@retrievals/trainer');
  });
  it('defineScheduler refuses a multiplier that is negative or not finite', () => {
    const bad = defineScheduler({ name: 'bad', multiplier: (step) => (step > 2 ? -1 : 1) })({ totalSteps: 5 });
    expect(bad(1)).toBe(1);
    expect(() => bad(3)).toThrow('scheduler bad: multiplier at step 3 is -1, expected a finite number ≥ 0');
  });
});
