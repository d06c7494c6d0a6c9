import { defineRegistryPlugin, installPlugin } from '@retrievals/core-tensor';
import { flatBinaryIndex, flatIndex, flatInt8Index } from './flat-index.js';
import { indexes } from './registry.js';
import { usearchIndex } from './usearch-index.js';

/** The built-in indexes as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinIndexes = defineRegistryPlugin('@retrievals/hard-negatives', 'indexes', [
  ['flat', flatIndex, ['exact']],
  ['flat-int8', flatInt8Index, ['int8']],
  ['flat-binary', flatBinaryIndex, ['binary']],
  ['usearch', usearchIndex, ['hnsw']],
]);

void installPlugin(builtinIndexes, { indexes });
