import { describe, expect, it } from 'vitest';
import { backends, defineBackend, definePlugin, installPlugin, realize, RetrievalsError, tensor, type Backend } from '../src/index.js';
import { runSync } from '../src/internal.js';

describe('defineBackend', () => {
  it('registers a plugin backend that realize finds by name, recorded as the plugin’s', async () => {
    let runs = 0;
    const counting = defineBackend({ name: 'counting', async run(program, feeds) { runs++; return runSync(program, feeds); } });
    await installPlugin(definePlugin({ name: 'acme-backend', setup: ({ backends: r }) => void r!.register('counting', counting) }), { backends });
    const y = tensor([1, 2]).mul(4);
    await realize([y], { backend: 'counting' });
    expect(Array.from(y.dataSync() as Float32Array)).toEqual([4, 8]);
    expect(runs).toBe(1);
    expect(backends.sourceOf('counting')).toBe('acme-backend');
    expect(backends.sourceOf('ort')).toBe('@retrievals/core-tensor');
  });

  it('names a backend that returns the wrong number of outputs, and refuses an incomplete one', async () => {
    const broken = defineBackend({ name: 'broken', async run() { return []; } });
    backends.register('broken', broken);
    await expect(realize([tensor([1]).add(1)], { backend: 'broken' })).rejects.toThrow(/backend 'broken': run returned 0 outputs for a program of 1/);
    expect(() => defineBackend({ name: 'x' } as unknown as Backend)).toThrow(RetrievalsError);
    expect(() => defineBackend({ name: '', run: async () => [] })).toThrow(/'name' must be a non-empty string/);
  });
});
