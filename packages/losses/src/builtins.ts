import { defineRegistryPlugin, installPlugin, type RegistryRow } from '@retrievals/core-tensor';
import { angle } from './losses/angle.js';
import { arcface } from './losses/arcface.js';
import { cached } from './losses/cached.js';
import { colbertMaxsim } from './losses/colbert-maxsim.js';
import { cosent } from './losses/cosent.js';
import { infonce } from './losses/infonce.js';
import { klDistill } from './losses/kl-distill.js';
import { listwise } from './losses/listwise.js';
import { marginMse } from './losses/margin-mse.js';
import { matryoshka } from './losses/matryoshka.js';
import { pairwiseHinge } from './losses/pairwise-hinge.js';
import { pairwiseLogistic } from './losses/pairwise-logistic.js';
import { simcse } from './losses/simcse.js';
import { triplet } from './losses/triplet.js';
import { losses } from './registry.js';

const BUILTINS: RegistryRow<'losses'>[] = [
  ['infonce', infonce, ['multiple-negatives-ranking']],
  ['simcse', simcse],
  ['triplet', triplet],
  ['pairwise-hinge', pairwiseHinge],
  ['pairwise-logistic', pairwiseLogistic],
  ['cosent', cosent],
  ['angle', angle],
  ['arcface', arcface],
  ['matryoshka', matryoshka],
  ['kl-distill', klDistill],
  ['margin-mse', marginMse],
  ['listwise', listwise, ['listnet']],
  ['colbert-maxsim', colbertMaxsim, ['colbert']],
  ['cached', cached, ['gradcache']],
];

/**
 * The built-in losses as a plugin, installed through the same installPlugin a third-party plugin
 * goes through, so a name resolves the same way whoever registered it.
 */
export const builtinLosses = defineRegistryPlugin('@retrievals/losses', 'losses', BUILTINS);

void installPlugin(builtinLosses, { losses });
