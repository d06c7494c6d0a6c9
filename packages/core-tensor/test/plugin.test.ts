import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin, defineRegistryPlugin, installPlugin, loadPlugins, PluginError, Registry } from '../src/index.js';

const dir = join(import.meta.dirname, 'plugins');

describe('loadPlugins', () => {
  it('imports a plugin by relative path and calls setup with the registries', async () => {
    const things = new Registry<number>('thing');
    const loaded = await loadPlugins(['./good.mjs'], { things }, { baseDir: dir });
    expect(loaded.map((p) => p.name)).toEqual(['good']);
    expect(things.get('from-plugin')).toBe(42);
    expect(things.sourceOf('from-plugin')).toBe('good');
  });
  it('installPlugin records the plugin as the source of what it registers, in the shared registry', () => {
    const things = new Registry<number>('thing', { owner: 'host' });
    const plugin = definePlugin({ name: '@acme/things', setup: ({ things: t }) => void t!.register('a', 1, { aliases: ['b'] }) });
    installPlugin(plugin, { things, absent: undefined });
    things.register('c', 2);
    expect(things.entries().map((e) => [e.name, e.aliases, e.source])).toEqual([['a', ['b'], '@acme/things'], ['c', [], 'host']]);
  });
  it('explains a package that is not installed', async () => {
    await expect(loadPlugins(['@acme/not-installed'], {}, { baseDir: dir })).rejects.toThrow(
      /plugin '@acme\/not-installed': package not found in any node_modules from .*plugins upwards/,
    );
  });
  it('explains a module without a plugin default export', async () => {
    await expect(loadPlugins(['./no-default.mjs'], {}, { baseDir: dir })).rejects.toThrow(
      /default export must be definePlugin\(\{ name, setup \}\), got no default export/,
    );
  });
  it('names the plugin whose setup failed', async () => {
    const err = await loadPlugins(['./throws.mjs'], {}, { baseDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toBe("plugin 'throws' (./throws.mjs): setup failed: boom");
  });
  it('definePlugin returns the plugin as given', () => {
    const p = definePlugin({ name: 'x', setup() {} });
    expect(p.name).toBe('x');
  });
});

describe('defineRegistryPlugin', () => {
  it('registers a table of rows with aliases, recording the plugin as their source', async () => {
    const backends = new Registry<never>('backend');
    const fake = { name: 'fake' } as never;
    const plugin = defineRegistryPlugin('@acme/backends', 'backends', [['fake', fake, ['dummy']]]);
    await installPlugin(plugin, { backends });
    expect(backends.get('dummy')).toBe(fake);
    expect(backends.sourceOf('fake')).toBe('@acme/backends');
    expect(() => plugin.setup({})).toThrow(new PluginError("@acme/backends: setup needs the 'backends' registry"));
  });
});
