import { defineRegistryPlugin } from '@retrievals/core-tensor';
import { createOnednnBackend } from './backend.js';

export { createOnednnBackend, type OnednnBackend, type OnednnBackendOptions, type OnednnStats, type Precision } from './backend.js';
export { onednnAvailable, loadAddon, type InstrInfo } from './addon.js';
export { OnednnRunError, OnednnUnavailableError } from './errors.js';

/**
 * The plugin: registers 'onednn' (fp32) and 'onednn-bf16' (bf16 matmuls with fp32 accumulation,
 * everything else fp32) in core-tensor's backends registry. Registering never loads the addon, so
 * a machine without oneDNN can install the plugin; the first run there fails naming what to install.
 */
export default defineRegistryPlugin('@retrievals/backend-onednn', 'backends', [
  ['onednn', createOnednnBackend({ precision: 'fp32' })],
  ['onednn-bf16', createOnednnBackend({ precision: 'bf16' })],
]);
