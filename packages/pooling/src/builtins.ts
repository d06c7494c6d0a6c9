import { defineRegistryPlugin, installPlugin, type RegistryRow } from '@retrievals/core-tensor';
import { definePooler } from './define-pooler.js';
import { firstTokenPooler } from './poolers/first.js';
import { lastTokenPooler } from './poolers/last.js';
import { maxPooler } from './poolers/max.js';
import { meanPooler, meanSqrtLenPooler } from './poolers/mean.js';
import { weightedMeanPooler } from './poolers/weighted-mean.js';
import { poolers, type Pooler } from './registry.js';

// The aliases are the names users know from open-retrievals and sentence-transformers.
const BUILTINS: [string, Pooler, string[]?][] = [
  ['cls', firstTokenPooler, ['first']],
  ['mean', meanPooler, ['avg']],
  ['last', lastTokenPooler, ['eos', 'lasttoken']],
  ['weightedmean', weightedMeanPooler],
  ['max', maxPooler],
  ['mean_sqrt_len', meanSqrtLenPooler],
];

/** The built-in poolers as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinPoolers = defineRegistryPlugin(
  '@retrievals/pooling',
  'poolers',
  BUILTINS.map(([name, pool, aliases]): RegistryRow<'poolers'> => [name, definePooler({ name, pool }), aliases]),
);

void installPlugin(builtinPoolers, { poolers });
