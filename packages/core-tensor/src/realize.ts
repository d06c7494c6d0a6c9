import './backends/builtins.js';
import { resolveBackend } from './context.js';
import { buildProgram } from './program.js';
import { setRealizeHook, type Tensor } from './tensor.js';

export interface RealizeOptions {
  /** A backend name; default: the context's (see resolveBackend). */
  backend?: string;
}

/**
 * Computes every given tensor in one backend run and stores the values in them. Both
 * `realize(a, b)` and `realize([a, b], { backend })` are accepted.
 */
export async function realize(...args: Tensor[] | [readonly Tensor[], RealizeOptions?]): Promise<void> {
  const [tensors, options] = Array.isArray(args[0]) ? (args as [readonly Tensor[], RealizeOptions?]) : [args as Tensor[], undefined];
  const pending = tensors.filter((t) => !t.buffer);
  if (pending.length === 0) return;
  const backend = resolveBackend(options?.backend);
  const { program, feedData, targetOutputs } = buildProgram(pending);
  const outputs = await backend.run(program, feedData);
  pending.forEach((t, i) => (t.buffer = outputs[targetOutputs[i]!]));
}

setRealizeHook((ts) => realize(ts));
