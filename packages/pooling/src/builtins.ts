import { firstTokenPooler } from './poolers/first.js';
import { lastTokenPooler } from './poolers/last.js';
import { maxPooler } from './poolers/max.js';
import { meanPooler, meanSqrtLenPooler } from './poolers/mean.js';
import { weightedMeanPooler } from './poolers/weighted-mean.js';
import { poolers } from './registry.js';

// The built-ins register through the same `register` a plugin calls; the aliases are the names
// users know from open-retrievals and sentence-transformers.
poolers.register('cls', () => firstTokenPooler, { aliases: ['first'] });
poolers.register('mean', () => meanPooler, { aliases: ['avg'] });
poolers.register('last', () => lastTokenPooler, { aliases: ['eos', 'lasttoken'] });
poolers.register('weightedmean', () => weightedMeanPooler);
poolers.register('max', () => maxPooler);
poolers.register('mean_sqrt_len', () => meanSqrtLenPooler);
