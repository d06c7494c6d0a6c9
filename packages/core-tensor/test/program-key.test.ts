import { describe, expect, it } from 'vitest';
import { constant, cumsum, realize, tensor, zeros } from '../src/index.js';
import { buildProgram, MAX_COMPILED_LITERAL } from '../src/internal.js';

/** What a key may spend per value of the program (a node's op, inputs, attrs and shape). */
const PER_VALUE = 160;
const bound = (p: ReturnType<typeof buildProgram>['program']) => PER_VALUE * (p.nodes.length + p.feeds.length + p.consts.length);

describe('program keys', () => {
  it('compile small literals in and feed large ones, so a key is bounded by the node count, not the data', async () => {
    const x = zeros([4, 300]);
    const small = constant([1, 2, 3]);
    const big = constant(Array.from({ length: 300 }, (_, i) => i), 'float32', [1, 300]);
    const y = x.add(big).mul(2).sum(-1).add(small.sum());
    const { program } = buildProgram([y]);
    expect(program.consts.map((c) => c.data.length)).toEqual(expect.arrayContaining([3]));
    expect(program.consts.every((c) => c.data.length <= MAX_COMPILED_LITERAL)).toBe(true);
    expect(program.feeds.map((f) => f.shape)).toContainEqual([1, 300]);
    expect(program.key.length).toBeLessThan(bound(program));
    await realize(y);
    expect((await y.toArray())[0]).toBeCloseTo(2 * (299 * 300) / 2 + 6, 1);
  });

  it('a large literal with other values reuses the compiled graph (same key)', () => {
    const mk = (k: number) => zeros([2, 64]).add(constant(Array.from({ length: 64 }, (_, i) => i * k), 'float32', [1, 64]));
    expect(buildProgram([mk(1)]).program.key).toBe(buildProgram([mk(2)]).program.key);
  });

  it('stays bounded for a long scan over a large batch', () => {
    const m = tensor(new Float32Array(32 * 512).fill(1), [32, 512]);
    const { program } = buildProgram([cumsum(m, 1).mul(m).sum(1)]);
    expect(program.key.length).toBeLessThan(bound(program));
  });
});
