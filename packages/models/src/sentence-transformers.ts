import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, readJsonFile } from './config.js';
import { ConfigError } from './errors.js';

/** sentence-transformers' pooling flags and the pooler names they mean here. */
const MODES: Record<string, string> = {
  pooling_mode_cls_token: 'cls',
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_sqrt_len_tokens: 'mean_sqrt_len',
  pooling_mode_weightedmean_tokens: 'weightedmean',
  pooling_mode_lasttoken: 'last',
};

export interface SentenceTransformersDefaults {
  poolingMethod?: string;
  normalize?: boolean;
}

/**
 * What a sentence-transformers folder says about pooling and normalisation (modules.json, the
 * Pooling module's config.json, a Normalize module), used only as defaults: the model card's
 * choice, so `fromPretrained(dir)` embeds as sentence-transformers would.
 */
export function readSentenceTransformersDefaults(dir: string): SentenceTransformersDefaults {
  const modulesFile = join(dir, 'modules.json');
  if (!existsSync(modulesFile)) return {};
  const modules = readJson(modulesFile, 'modules.json');
  if (!Array.isArray(modules)) throw new ConfigError(`${modulesFile}: expected a JSON array of modules`);
  const out: SentenceTransformersDefaults = {};
  for (const m of modules as { type?: string; path?: string }[]) {
    if (m.type?.endsWith('.Normalize')) out.normalize = true;
    if (m.type?.endsWith('.Pooling') && typeof m.path === 'string') {
      const file = join(dir, m.path, 'config.json');
      if (!existsSync(file)) continue;
      const cfg = readJsonFile(file, 'pooling config');
      const on = Object.keys(MODES).filter((k) => cfg[k] === true);
      if (on.length > 1) throw new ConfigError(`${file}: ${on.join(' + ')} are combined (concatenated) poolings, which are not supported; pass poolingMethod`);
      if (on.length === 1) out.poolingMethod = MODES[on[0]!];
    }
  }
  return out;
}
