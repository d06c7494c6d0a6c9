import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlugins } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { losses } from '@retrievals/losses';

describe('a loss from a plugin named in a JSON config', () => {
  it('is loaded by package name and found by its registered name', async () => {
    const configPath = join(import.meta.dirname, 'config', 'train.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { plugins: string[]; loss: { name: string; margin: number } };
    const loaded = await loadPlugins(config.plugins, { losses }, { baseDir: dirname(configPath) });
    expect(loaded.map((p) => p.name)).toEqual(['example-plugin']);
    const { name, ...options } = config.loss;
    const loss = losses.get(name)(options);
    // margins 0.9 and 0.1 against 0.5: hinge terms 0 and 0.4
    expect(loss({ positive: [1, 0.2], negative: [0.1, 0.1] })).toBeCloseTo(0.2, 12);
  });
});
