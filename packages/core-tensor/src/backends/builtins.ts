import { defineRegistryPlugin, installPlugin } from '../plugin.js';
import { backends } from './backend.js';
import { defineBackend } from './define-backend.js';
import { jsBackend } from './js/backend.js';
import { createOrtBackend } from './ort.js';

/** The built-in backends as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinBackends = defineRegistryPlugin('@retrievals/core-tensor', 'backends', [
  ['js', defineBackend(jsBackend)],
  ['ort', defineBackend(createOrtBackend())],
]);

void installPlugin(builtinBackends, { backends });
