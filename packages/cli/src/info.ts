import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@retrievals/core-tensor';
import { builtinRegistries } from './registries.js';

export interface FixtureSummary {
  name: string;
  modelType: string;
  files: string[];
}

/** Lists the Hugging Face folders under a directory (those with a config.json). */
export function listModelFolders(dir: string): FixtureSummary[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'config.json')) && statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => {
      const config = JSON.parse(readFileSync(join(dir, name, 'config.json'), 'utf8')) as { model_type?: string };
      return { name, modelType: config.model_type ?? '?', files: readdirSync(join(dir, name)).sort() };
    });
}

export function formatInfo(registries: Record<string, Registry<unknown>>, fixturesDir?: string): string {
  const lines = ['registries:'];
  for (const [key, registry] of Object.entries(registries)) {
    const names = registry.list();
    lines.push(`  ${key} (${registry.kind}): ${names.length ? names.join(', ') : '(none yet)'}`);
  }
  if (fixturesDir) {
    const models = listModelFolders(fixturesDir);
    lines.push(`fixture models in ${fixturesDir}: ${models.length}`);
    for (const m of models) lines.push(`  ${m.name} [${m.modelType}]: ${m.files.join(', ')}`);
  }
  return lines.join('\n');
}

export { builtinRegistries };
