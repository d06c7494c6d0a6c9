import { resolveBackend } from '../context.js';
import { OptionError } from '../options.js';
import { backends, type Backend, type ComputePrecision } from './backend.js';

export const precisionOf = (b: Backend): ComputePrecision => b.precision ?? 'fp32';

const family = (name: string) => name.split('-')[0]!;

/**
 * The backend to compute at `precision` (what a trainer's or model's `precision: 'bf16'` and the
 * CLI's --bf16 mean): `name` (else the context's backend) when it computes so; otherwise its
 * sibling of that precision (`onednn` ↔ `onednn-bf16`); with no name given, any registered backend
 * of that precision. An explicit name of another precision and family is an error, not a silent
 * change of engine; so is a precision no registered backend offers.
 */
export function backendForPrecision(precision: ComputePrecision, name?: string): string {
  const base = resolveBackend(name);
  if (precisionOf(base) === precision) return base.name;
  const all = backends.entries();
  const offered = all.filter((e) => precisionOf(e.value) === precision).map((e) => e.name);
  const sibling = offered.find((n) => family(n) === family(base.name));
  if (sibling) return sibling;
  const known = all.map((e) => `${e.name} (${precisionOf(e.value)})`).join(', ');
  if (name !== undefined || !offered.length) {
    const hint = precision === 'bf16' && !offered.length ? ": none is registered (install @retrievals/backend-onednn and list it in the config's plugins, or installPlugin it)" : '';
    throw new OptionError(`precision '${precision}'${name !== undefined ? ` with backend '${name}'` : ''}: needs a backend that computes in ${precision}${hint}; registered: ${known}`, { kind: 'backend', name: base.name, option: 'precision', actual: precision });
  }
  return offered[0]!;
}
