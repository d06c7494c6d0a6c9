import { definePlugin, loadPlugins } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { losses } from '../src/index.js';

describe('losses registry', () => {
  it('takes a loss from a plugin through the same register path as built-ins', async () => {
    const plugin = definePlugin({
      name: 'inline',
      setup({ losses: registry }) {
        registry!.register('inline-loss', () => () => 1);
      },
    });
    expect(plugin.name).toBe('inline');
    await plugin.setup({ losses });
    expect(losses.get('inline-loss')()({})).toBe(1);
    expect(() => losses.get('inline-los')).toThrow(/unknown loss 'inline-los'; known: .*inline-loss/);
    expect(loadPlugins).toBeTypeOf('function');
  });
});
