import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError } from './errors.js';
import type { Backend } from './backends/backend.js';
import type { Registry } from './registry.js';

/**
 * The registries a plugin may add to. Each package that owns a registry adds its entry here by
 * declaration merging (`declare module '@retrievals/core-tensor' { interface Registries { ... } }`),
 * so `setup` is fully typed for whatever packages the host has installed.
 */
export interface Registries {
  backends: Registry<Backend>;
}

/** What a plugin's `setup` is given: the registries the host has (a host may have only some). */
export type PluginRegistries = Partial<Registries> & Record<string, Registry<unknown> | undefined>;

export interface Plugin {
  /** The plugin's name (its npm package name), recorded as the source of what it registers. */
  name: string;
  setup(registries: PluginRegistries): void | Promise<void>;
}

/** Identity helper that gives editors the plugin's type, in the style of vite/rollup plugins. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/** What a registry holds (its `T`), from the registry's type. */
export type EntryOf<R> = R extends Registry<infer T> ? T : never;

/** One row of a package's built-ins: name, entry, aliases. */
export type RegistryRow<K extends keyof Registries> = readonly [name: string, entry: EntryOf<Registries[K]>, aliases?: readonly string[]];

/**
 * A plugin that registers a table of entries into one registry: what a package's `builtins.ts` is,
 * and what a third-party plugin adding several components of one kind can be.
 */
export function defineRegistryPlugin<K extends keyof Registries>(name: string, registry: K, rows: readonly RegistryRow<K>[]): Plugin {
  return definePlugin({
    name,
    setup(registries) {
      const target = registries[registry] as Registry<unknown> | undefined;
      if (!target) throw new PluginError(`${name}: setup needs the '${String(registry)}' registry`);
      for (const [entryName, entry, aliases] of rows) target.register(entryName, entry, { aliases: aliases ?? [] });
    },
  });
}

/**
 * Runs a plugin's `setup` on views of the registries scoped to the plugin (see Registry.scoped), so
 * each entry records the plugin it came from. Built-ins and loaded plugins both go through here.
 */
export function installPlugin(plugin: Plugin, registries: PluginRegistries): void | Promise<void> {
  const scoped: Record<string, unknown> = {};
  for (const [key, registry] of Object.entries(registries)) {
    // Duck-typed: a registry made by another copy of core-tensor is still scoped when it can be.
    scoped[key] = typeof (registry as Partial<Registry<unknown>> | undefined)?.scoped === 'function' ? registry!.scoped(plugin.name) : registry;
  }
  return plugin.setup(scoped as PluginRegistries);
}

function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plugin).name === 'string' &&
    typeof (value as Plugin).setup === 'function'
  );
}

export interface LoadPluginsOptions {
  /** Directory that relative paths and package names resolve from (the config file's folder). */
  baseDir?: string;
}

/**
 * Imports each plugin (an npm package name, or a path relative to `baseDir`) and installs it
 * (installPlugin) into the registries, in the order given. Returns the loaded plugins.
 */
export async function loadPlugins(
  names: readonly string[],
  registries: PluginRegistries,
  options: LoadPluginsOptions = {},
): Promise<Plugin[]> {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const loaded: Plugin[] = [];
  for (const spec of names) {
    if (typeof spec !== 'string' || spec.length === 0) {
      throw new PluginError(`plugins: each entry must be a package name or path, got ${JSON.stringify(spec)}`);
    }
    const url = resolvePlugin(spec, baseDir);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (cause) {
      throw new PluginError(`plugin '${spec}': importing ${url} failed: ${(cause as Error).message}`, { cause });
    }
    const plugin = mod.default ?? mod.plugin;
    if (!isPlugin(plugin)) {
      throw new PluginError(
        `plugin '${spec}': its default export must be definePlugin({ name, setup }), got ${describe(plugin)}`,
      );
    }
    try {
      await installPlugin(plugin, registries);
    } catch (cause) {
      throw new PluginError(`plugin '${plugin.name}' (${spec}): setup failed: ${(cause as Error).message}`, { cause });
    }
    loaded.push(plugin);
  }
  return loaded;
}

function resolvePlugin(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(baseDir, spec)).href;
  const entry = resolvePackageEntry(spec, baseDir);
  if (!entry) {
    throw new PluginError(`plugin '${spec}': package not found in any node_modules from ${baseDir} upwards (is it installed?)`);
  }
  return pathToFileURL(entry).href;
}

/**
 * Node's ESM resolution from an arbitrary folder (what `import` would do in a file placed there).
 * `createRequire().resolve` is not enough: it ignores the `import` condition of ESM-only packages.
 */
function resolvePackageEntry(spec: string, baseDir: string): string | undefined {
  const parts = spec.split('/');
  const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = '.' + spec.slice(pkgName.length);
  for (let dir = baseDir; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', pkgName);
    const manifest = join(root, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: string; module?: string };
      const target = pkg.exports !== undefined ? pickExport(pkg.exports, subpath) : subpath === '.' ? (pkg.main ?? 'index.js') : subpath;
      if (!target) throw new PluginError(`plugin '${spec}': ${manifest} does not export '${subpath}'`);
      return join(root, target);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function pickExport(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && Object.keys(exports).some((k) => k.startsWith('.'));
  const entry = isSubpathMap ? (exports as Record<string, unknown>)[subpath] : subpath === '.' ? exports : undefined;
  return pickCondition(entry);
}

function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return entry.map(pickCondition).find((x) => x !== undefined);
  if (typeof entry !== 'object' || entry === null) return undefined;
  for (const [cond, value] of Object.entries(entry)) {
    if (cond === 'import' || cond === 'node' || cond === 'default') {
      const hit = pickCondition(value);
      if (hit) return hit;
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'no default export';
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).join(', ')}]`;
  return typeof value;
}
