import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@retrievals/core-tensor';

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
      return { name, modelType: modelTypeOf(join(dir, name, 'config.json')), files: readdirSync(join(dir, name)).sort() };
    });
}

/** config.json's model_type, or what is wrong with the file (a listing must not fail on one broken folder). */
function modelTypeOf(file: string): string {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `unreadable config.json: ${(e as Error).message}`;
  }
  const type = typeof config === 'object' && config !== null ? (config as { model_type?: unknown }).model_type : undefined;
  return typeof type === 'string' ? type : 'config.json has no model_type';
}

/**
 * Every registry and, one per line, each component with its aliases and the plugin or package it
 * came from, so a name that resolves unexpectedly can be traced to whoever registered it.
 */
export function formatInfo(registries: Record<string, Registry<unknown>>, fixturesDir?: string): string {
  const lines = ['registries:'];
  for (const [key, registry] of Object.entries(registries)) {
    const entries = registry.entries();
    lines.push(`  ${key} (${registry.kind}):${entries.length ? '' : ' (none yet)'}`);
    const labels = entries.map((e) => (e.aliases.length ? `${e.name} (${e.aliases.join(', ')})` : e.name));
    const width = Math.max(0, ...labels.map((l) => l.length));
    entries.forEach((e, i) => lines.push(`    ${labels[i]!.padEnd(width)}  ${e.source ?? '(source not recorded)'}`));
  }
  if (fixturesDir) {
    const models = listModelFolders(fixturesDir);
    lines.push(`fixture models in ${fixturesDir}: ${models.length}`);
    for (const m of models) lines.push(`  ${m.name} [${m.modelType}]: ${m.files.join(', ')}`);
  }
  return lines.join('\n');
}

