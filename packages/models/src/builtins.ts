import { defineRegistryPlugin, installPlugin, type RegistryRow } from '@retrievals/core-tensor';
import { bertArchitecture } from './architectures/bert.js';
import { distilbertArchitecture } from './architectures/distilbert.js';
import { llamaArchitectures } from './architectures/llama.js';
import { robertaArchitecture } from './architectures/roberta.js';
import { defineRuntime } from './define-runtime.js';
import { architectures } from './registry.js';
import { ONNX_FILE_RUNTIME, WEIGHTS_RUNTIME } from './runtimes/defaults.js';
import { openOnnxRuntime } from './runtimes/onnx.js';
import { runtimes } from './runtimes/runtime.js';
import { openTensorRuntime } from './runtimes/tensor.js';

// Each record is registered under its model_type; the aliases are model types that share a module.
const BUILTINS: RegistryRow<'architectures'>[] = [
  [bertArchitecture.name, bertArchitecture],
  [robertaArchitecture.name, robertaArchitecture, ['xlm-roberta', 'camembert']],
  [distilbertArchitecture.name, distilbertArchitecture],
  ...llamaArchitectures.map((a): RegistryRow<'architectures'> => [a.name, a]),
];

/** The built-in architectures as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinArchitectures = defineRegistryPlugin('@retrievals/models', 'architectures', BUILTINS);

/** The built-in runtimes, likewise: `tensor` runs the folder's weights, `onnx` its ONNX export. */
export const builtinRuntimes = defineRegistryPlugin('@retrievals/models', 'runtimes', [
  [WEIGHTS_RUNTIME, defineRuntime({ name: WEIGHTS_RUNTIME, open: openTensorRuntime })],
  [ONNX_FILE_RUNTIME, defineRuntime({ name: ONNX_FILE_RUNTIME, open: openOnnxRuntime })],
]);

void installPlugin(builtinArchitectures, { architectures });
void installPlugin(builtinRuntimes, { runtimes });
