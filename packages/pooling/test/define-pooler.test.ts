import { checks, definePlugin, installPlugin, mul, opt, OptionError, Registry, ShapeError, sum, tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { builtinPoolers, definePooler, poolers, type PoolerFactory } from '../src/index.js';

const hidden = tensor([[[1, 2], [3, 4]]]);
const mask = tensor([[1, 1]]);

describe('definePooler', () => {
  it('makes a factory whose options are checked by name and value', async () => {
    const scaled = definePooler({ name: 'scaled-sum', options: { scale: opt(1, checks.positive) }, pool: (h, _m, o) => mul(sum(h, 1), o.scale) });
    expect(await scaled({ scale: 2 })(hidden, mask).toArray()).toEqual([8, 12]);
    expect(scaled().name).toBe('scaled-sum');
    expect(() => scaled({ scale: 0 })).toThrow("pooling scaled-sum: option 'scale' must be a finite number > 0, got 0");
    expect(() => scaled({ scale: 0 })).toThrow(OptionError);
    expect(() => scaled({ scal: 2 })).toThrow("pooling scaled-sum: unknown option 'scal'; known: scale");
  });
  it('checks the inputs and that one [B, H] vector per text comes back', () => {
    const wrong = definePooler({ name: 'keeps-tokens', pool: (h) => h })();
    expect(() => wrong(hidden, mask)).toThrow(new ShapeError("pooling 'keeps-tokens': a pooler must return [1, 2] (one vector per text), got [1, 2, 2]"));
    expect(() => wrong(hidden, tensor([[1, 1, 1]]))).toThrow(ShapeError);
  });
  it('built-ins come from the @retrievals/pooling plugin and refuse options they do not take', () => {
    expect(builtinPoolers.name).toBe('@retrievals/pooling');
    expect(poolers.entries().map((e) => [e.name, e.source])).toContainEqual(['mean', '@retrievals/pooling']);
    expect(() => poolers.create({ name: 'mean', dim: 3 })).toThrow("pooling mean: unknown option 'dim'; known: (none)");
  });
  it('a plugin pooler made with definePooler is found by create and records its plugin', async () => {
    const registry = new Registry<PoolerFactory>('pooling');
    const plugin = definePlugin({ name: '@acme/pool', setup: ({ poolers: r }) => void r!.register('sum', definePooler({ name: 'sum', pool: (h) => sum(h, 1) })) });
    await installPlugin(plugin, { poolers: registry });
    expect(await registry.create('sum')(hidden, mask).toArray()).toEqual([4, 6]);
    expect(registry.sourceOf('sum')).toBe('@acme/pool');
  });
});
