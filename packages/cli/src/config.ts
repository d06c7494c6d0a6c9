import { extname } from 'node:path';
import { DataError, readTextFile } from '@retrievals/data';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { UsageError } from './errors.js';
import { parseConfigValue, type FlagSpec } from './flag-spec.js';

/** What a `--config` file gives a command: flag values by snake_case name, and the plugins to load first. */
export interface ConfigFile {
  file: string;
  values: Map<string, unknown>;
  plugins: string[];
}

/**
 * Reads a JSON (`.json`) or YAML (`.yaml`/`.yml`) config file whose keys are the command's flag
 * names, plus `plugins` (package names or paths, resolved from the file's folder). An unknown key is
 * an error naming the file (and, for YAML, the line): a misspelt `learning_rte` must not train with
 * the default. Values are checked as the flags are, so a bad one names the key too.
 */
export async function readConfigFile(file: string, specs: readonly FlagSpec[], command: string): Promise<ConfigFile> {
  const ext = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) throw new UsageError(`--config ${file}: expected a .json, .yaml or .yml file`);
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--config ${e.message}`, { cause: e });
    throw e;
  }
  const { data, lineOf } = ext === '.json' ? parseJson(file, text) : parseYaml(file, text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${file}: a config file must be a mapping of flag names to values, got ${Array.isArray(data) ? 'a list' : typeof data}`);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, unknown>();
  let plugins: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const where = `${file}${lineOf(key) ? `:${lineOf(key)}` : ''}`;
    if (key === 'plugins') {
      if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === '')) throw new UsageError(`${where}: key 'plugins' must be a list of package names or paths, got ${JSON.stringify(value)}`);
      plugins = value as string[];
      continue;
    }
    const spec = byName.get(key);
    if (!spec || key === 'config') {
      const hint = byName.has(key.replace(/-/g, '_')) ? `; did you mean '${key.replace(/-/g, '_')}'?` : '';
      throw new UsageError(`${where}: unknown key '${key}' for '${command}'${hint}; known: plugins, ${specs.filter((s) => s.name !== 'config').map((s) => s.name).join(', ')}`);
    }
    if (value === null) continue;
    const parsed = parseConfigValue(spec, value);
    if ('expected' in parsed) throw new UsageError(`${where}: key '${key}' must be ${parsed.expected}, got ${JSON.stringify(value)}`);
    values.set(key, parsed.value);
  }
  return { file, values, plugins };
}

type Parsed = { data: unknown; lineOf: (key: string) => number | undefined };

function parseJson(file: string, text: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  // The line of a top-level key's first appearance; JSON.parse keeps no positions, and a config is small.
  const lineOf = (key: string) => {
    const at = text.indexOf(JSON.stringify(key));
    return at < 0 ? undefined : text.slice(0, at).split('\n').length;
  };
  return { data, lineOf };
}

function parseYaml(file: string, text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new UsageError(`${file}:${lineCounter.linePos(error.pos[0]).line}: not valid YAML: ${error.message.split('\n')[0]}`);
  const lines = new Map<string, number>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key) && pair.key.range) lines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
    }
  }
  return { data: doc.toJS(), lineOf: (key) => lines.get(key) };
}
