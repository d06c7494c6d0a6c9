import { defineRegistryPlugin, installPlugin } from '@retrievals/core-tensor';
import { flatIndex } from './flat-index.js';
import { indexes } from './registry.js';

/** The built-in `flat` index as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinIndexes = defineRegistryPlugin('@retrievals/hard-negatives', 'indexes', [['flat', flatIndex, ['exact']]]);

void installPlugin(builtinIndexes, { indexes });
