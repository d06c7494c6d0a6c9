import { definePlugin, installPlugin } from '@retrievals/core-tensor';
import { adamw } from './optimizers/adamw.js';
import { sgd } from './optimizers/sgd.js';
import { optimizers, schedulers } from './registry.js';
import { constant } from './schedulers/constant.js';
import { cosine } from './schedulers/cosine.js';
import { linear } from './schedulers/linear.js';

/** The built-in schedulers and optimizers as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinTrainerComponents = definePlugin({
  name: '@retrievals/trainer',
  setup({ schedulers: s, optimizers: o }) {
    if (!s || !o) throw new Error('@retrievals/trainer: setup needs the schedulers and optimizers registries');
    s.register('constant', constant, { aliases: ['constant_with_warmup'] });
    s.register('linear', linear);
    s.register('cosine', cosine);
    o.register('adamw', adamw, { aliases: ['adamw_torch'] });
    o.register('sgd', sgd);
  },
});

void installPlugin(builtinTrainerComponents, { schedulers, optimizers });
