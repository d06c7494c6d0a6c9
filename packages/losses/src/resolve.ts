import { LossOptionError } from './errors.js';
import { losses } from './registry.js';
import type { Loss, LossSpec } from './types.js';

/** The loss a wrapper wraps: a Loss as is, or looked up in the registry by name (with its options). */
export function resolveLoss(owner: string, spec: LossSpec | undefined): Loss {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string' || (spec && typeof spec === 'object' && typeof spec.name === 'string')) return losses.create(spec);
  throw new LossOptionError(`${owner}: option 'loss' must name the loss to wrap: a registry name, { name, ...options }, or a Loss`);
}

export const isLossSpec = (v: unknown) =>
  typeof v === 'function' || typeof v === 'string' || (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string')
    ? undefined
    : "a loss name, { name, ...options }, or a Loss";
