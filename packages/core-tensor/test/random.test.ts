import { describe, expect, it } from 'vitest';
import { Generator } from '../src/index.js';

describe('Generator', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Generator(1), b = new Generator(1), c = new Generator(2);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });
  it('draws uniform and normal values with the right moments', () => {
    const g = new Generator(3);
    const n = 20000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = g.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const z = g.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });
  it('shuffles to a permutation', () => {
    const xs = new Generator(5).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...xs].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(xs).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
