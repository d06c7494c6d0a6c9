import { backends, type Registry } from '@retrievals/core-tensor';
import { formats } from '@retrievals/data';
import { indexes } from '@retrievals/hard-negatives';
import { losses } from '@retrievals/losses';
import { architectures, runtimes } from '@retrievals/models';
import { poolers } from '@retrievals/pooling';
import { optimizers, schedulers } from '@retrievals/trainer';

/** Every registry the CLI hands to plugins, keyed as plugins' `setup` receives them. */
export function builtinRegistries(): Record<string, Registry<unknown>> {
  return { backends, architectures, runtimes, poolers, losses, formats, schedulers, optimizers, indexes } as Record<string, Registry<unknown>>;
}
