import { definePlugin } from '@retrievals/core-tensor';
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
import { losses, type LossFactory } from './registry.js';

const BUILTINS: [string, LossFactory, string[]?][] = [
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
 * The built-in losses as a plugin: registered through the same `register` a third-party plugin
 * calls, so a name resolves the same way whoever registered it.
 */
export const builtinLosses = definePlugin({
  name: '@retrievals/losses',
  setup({ losses: registry }) {
    if (!registry) throw new Error('@retrievals/losses: setup needs the losses registry');
    for (const [name, factory, aliases] of BUILTINS) registry.register(name, factory, { aliases: aliases ?? [] });
  },
});

void builtinLosses.setup({ losses });
