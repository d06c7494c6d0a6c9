import { Registry } from '@retrievals/core-tensor';
import type { Loss } from './types.js';

/** Options as a config file gives them: camelCase names, JSON values. Each loss checks its own. */
export type LossOptions = Record<string, unknown>;

/** Makes a configured loss from its options; what `losses.get(name)` returns. */
export type LossFactory = (options?: LossOptions) => Loss;

/** The loss registry: built-ins and plugins register here and are looked up by name. */
export const losses = new Registry<LossFactory>('loss', { owner: '@retrievals/losses' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    losses: Registry<LossFactory>;
  }
}

/** Looks a loss up by name and configures it: `getLoss('infonce', { temperature: 0.02 })`, as `losses.create({ name, ...options })`. */
export function getLoss(name: string, options?: LossOptions): Loss {
  return losses.create({ ...options, name });
}
