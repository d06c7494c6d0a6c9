import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

type CoreTensor = typeof import('@retrievals/core-tensor');
type Losses = typeof import('@retrievals/losses');

/**
 * Imports a workspace package as Node does, from node_modules. A plain `import` here would give
 * vitest's own inlined copy (it inlines linked packages outside node_modules), while loadPlugins
 * imports the plugin natively: two copies of core-tensor whose Tensors cannot meet. A Node process
 * (the CLI, the trainer) has one copy; this makes the test have one too.
 */
async function nativeImport<T>(name: string): Promise<T> {
  const root = join(import.meta.dirname, '..', 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
  return (await import(pathToFileURL(join(root, pkg.exports['.'].import)).href)) as T;
}

describe('a loss from a plugin named in a JSON config', () => {
  it('is loaded by package name, found by its registered name, and computes on tensors', async () => {
    const { backward, loadPlugins, realize, tensor } = await nativeImport<CoreTensor>('@retrievals/core-tensor');
    const { checkFinite, finiteGuards, losses } = await nativeImport<Losses>('@retrievals/losses');
    const configPath = join(import.meta.dirname, 'config', 'train.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { plugins: string[]; loss_fn: { name: string } & Record<string, unknown> };
    const loaded = await loadPlugins(config.plugins, { losses }, { baseDir: dirname(configPath) });
    expect(loaded.map((p) => p.name)).toEqual(['example-plugin']);

    // Exactly the trainer's lookup: the config's loss entry is the name plus its options.
    const { name, ...options } = config.loss_fn;
    const loss = losses.get(name)(options);
    expect(loss.name).toBe('example-margin');
    expect(losses.create(config.loss_fn).name).toBe('example-margin');
    expect(losses.sourceOf('example-margin')).toBe('example-plugin');
    expect(() => losses.create({ name: 'example-margin', margin: -1 })).toThrow("loss example-margin: option 'margin' must be a finite number > 0, got -1");
    expect(losses.list()).toEqual(expect.arrayContaining(['example-margin', 'infonce', 'arcface']));

    // Scores q·p = 1 and 0.2, q·n = 0.1 and 0.1: margins 0.9 and 0.1 against 0.5, hinge 0 and 0.4.
    const query = tensor([[1, 0], [0, 1]]).requiresGrad_();
    const positive = tensor([[1, 0], [0, 0.2]]);
    const negative = tensor([[0.1, 0], [0, 0.1]]);
    const value = loss({ query, positive, negative });
    backward(value);
    await realize(value, query.grad!, ...finiteGuards(value));
    checkFinite(value);
    expect(Number(value.dataSync()[0])).toBeCloseTo(0.2, 6);
    // Only the second query's hinge is active: d/dq₁ = −(p₁ − n₁)/2 = [0, −0.05].
    expect(Array.from(query.grad!.dataSync() as Float32Array).map((g) => Math.round(g * 1e6) / 1e6)).toEqual([0, 0, 0, -0.05]);
    expect(() => loss({ query, positive })).toThrow("example-margin: input 'negative' is required; it reads query, positive, negative");
  });
});
