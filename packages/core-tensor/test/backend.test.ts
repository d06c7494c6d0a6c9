import { describe, expect, it } from 'vitest';
import { AdamW, backends, createOrtBackend, getBackend, Generator, randn, realize, setBackend, tensor, type OrtStats } from '../src/index.js';
import { buildProgram } from '../src/internal.js';

describe('backends', () => {
  it('are registered by name and chosen by setBackend, else RETRIEVALS_BACKEND, else ort', () => {
    expect(backends.list()).toEqual(expect.arrayContaining(['js', 'ort']));
    setBackend(undefined);
    const prev = process.env.RETRIEVALS_BACKEND;
    delete process.env.RETRIEVALS_BACKEND;
    expect(getBackend().name).toBe('ort');
    process.env.RETRIEVALS_BACKEND = 'js';
    expect(getBackend().name).toBe('js');
    process.env.RETRIEVALS_BACKEND = 'webgpu';
    expect(() => getBackend()).toThrow(/unknown backend 'webgpu'; known: js, ort/);
    if (prev === undefined) delete process.env.RETRIEVALS_BACKEND;
    else process.env.RETRIEVALS_BACKEND = prev;
    setBackend('ort');
    expect(getBackend().name).toBe('ort');
    expect(() => setBackend('cuda')).toThrow(/unknown backend 'cuda'/);
  });

  it('keys programs by structure and shapes, not by fed values; constants are part of the key', () => {
    const a = tensor([1, 2, 3]), b = tensor([4, 5, 6]);
    const k1 = buildProgram([a.mul(2).exp()]).program.key;
    expect(buildProgram([b.mul(2).exp()]).program.key).toBe(k1);
    expect(buildProgram([b.mul(3).exp()]).program.key).not.toBe(k1);
    expect(buildProgram([tensor([1, 2]).mul(2).exp()]).program.key).not.toBe(k1);
  });

  it('compiles a graph once, reuses it, and evicts the least recently used beyond the cache size', async () => {
    const ort = createOrtBackend({ cacheSize: 2 });
    const run = (t: ReturnType<typeof tensor>) => {
      const { program, feedData } = buildProgram([t]);
      return ort.run(program, feedData);
    };
    const x = tensor([1, 2, 3]);
    expect(Array.from((await run(x.add(1)))[0]! as Float32Array)).toEqual([2, 3, 4]);
    await run(tensor([5, 6, 7]).add(1));
    expect(ort.stats).toMatchObject({ compiles: 1, cacheHits: 1, runs: 2 });
    await run(x.mul(2));
    await run(x.sub(2));
    await run(x.add(1)); // evicted by the two above
    expect(ort.stats.compiles).toBe(4);
  });

  it('an optimizer step with a new learning rate does not recompile', async () => {
    setBackend('ort');
    const stats = (backends.get('ort') as unknown as { stats: OrtStats }).stats;
    const w = randn([4, 3], new Generator(1)).requiresGrad_();
    const x = randn([2, 4], new Generator(2));
    const opt = new AdamW([w], { lr: 0.1 });
    const step = async () => {
      const loss = x.matmul(w).pow(2).mean();
      loss.backward();
      await opt.step(loss);
      return loss.item();
    };
    await step();
    const compiles = stats.compiles;
    opt.groups[0]!.lr = 0.01;
    const l2 = await step();
    await step();
    expect(stats.compiles).toBe(compiles); // moments start as fed zeros, so every step shares one graph
    expect(Number.isFinite(l2)).toBe(true);
    await realize();
  });
});
