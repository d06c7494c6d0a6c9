import { definePlugin, Registry, sum, tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { poolers, type Pooler, type PoolerFactory } from '../src/index.js';

describe('pooling registry and plugins', () => {
  it('takes a plugin pooler through the same register call the built-ins use', async () => {
    const sumPooler: Pooler = (hidden) => sum(hidden, 1);
    const registry = new Registry<PoolerFactory>('pooling');
    // a fresh registry, so the test does not leave 'sum' behind in the shared one
    const plugin = definePlugin({ name: 'sum-pooling', setup: (r) => void r.poolers!.register('sum', () => sumPooler, { aliases: ['total'] }) });
    await plugin.setup({ poolers: registry });
    const out = registry.get('total')()(tensor([[[1, 2], [3, 4]]]), tensor([[1, 1]]));
    expect(await out.toArray()).toEqual([4, 6]);
  });

  it('refuses to register a built-in name twice unless overridden', () => {
    expect(() => poolers.register('mean', () => (h) => h)).toThrow(/'mean' is already registered/);
    expect(() => poolers.register('x-pool', () => (h) => h, { aliases: ['avg'] })).toThrow(/'avg' is already registered/);
  });
});
