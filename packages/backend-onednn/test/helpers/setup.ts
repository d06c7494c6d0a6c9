import { backends, installPlugin } from '@retrievals/core-tensor';
import { describe } from 'vitest';
import plugin, { onednnAvailable } from '../../src/index.js';

let installed: Promise<void> | undefined;
/** Installs the plugin into core-tensor's registry exactly as a config's "plugins" list would. */
export function install(): Promise<void> {
  installed ??= Promise.resolve(backends.has('onednn') ? undefined : installPlugin(plugin, { backends }));
  return installed;
}

const availability = onednnAvailable();
if (!availability.ok) console.log(`[backend-onednn] SKIP: oneDNN (libdnnl) is not available here: ${availability.reason}`);

/** describe, or describe.skip with a line naming the missing library where the addon cannot load. */
export const describeOnednn: typeof describe = (availability.ok ? describe : describe.skip) as typeof describe;
export const onednnReady = availability.ok;
