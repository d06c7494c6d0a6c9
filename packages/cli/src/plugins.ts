import { dirname, resolve } from 'node:path';
import { loadPlugins } from '@retrievals/core-tensor';
import { builtinRegistries } from './registries.js';

// The registries are the process's: a plugin installed by one `main` call (tests run many) is
// there for the next, and installing it again would fail as a duplicate registration.
const installed = new Set<string>();

/** Imports and installs a config file's plugins (names and paths resolved from the file's folder) into every registry the CLI uses. */
export async function installConfigPlugins(plugins: readonly string[], configFile: string): Promise<void> {
  const baseDir = dirname(resolve(configFile));
  for (const spec of plugins) {
    const key = spec.startsWith('.') ? resolve(baseDir, spec) : spec;
    if (installed.has(key)) continue;
    await loadPlugins([spec], builtinRegistries(), { baseDir });
    installed.add(key);
  }
}
