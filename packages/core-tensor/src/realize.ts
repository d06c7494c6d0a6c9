import { backends, type Backend } from './backends/backend.js';
import { createOrtBackend } from './backends/ort.js';
import { jsBackend } from './backends/js/backend.js';
import { buildProgram } from './program.js';
import { setRealizeHook, type Tensor } from './tensor.js';

backends.register('js', jsBackend);
backends.register('ort', createOrtBackend());

let current: string | undefined;

/** Chooses the backend for this program (default: RETRIEVALS_BACKEND, else `ort`). */
export function setBackend(name: string | undefined): void {
  if (name !== undefined) backends.get(name);
  current = name;
}

export function getBackend(): Backend {
  return backends.get(current ?? process.env.RETRIEVALS_BACKEND ?? 'ort');
}

/** Computes every given tensor in one backend run and stores the values in them. */
export async function realize(...tensors: Tensor[]): Promise<void> {
  const pending = tensors.filter((t) => !t.buffer);
  if (pending.length === 0) return;
  const { program, feedData, targetOutputs } = buildProgram(pending);
  const outputs = await getBackend().run(program, feedData);
  pending.forEach((t, i) => (t.buffer = outputs[targetOutputs[i]!]));
}

setRealizeHook((ts) => realize(...ts));

/** Runs fn with another backend selected, then restores the previous choice exactly. */
export async function withBackend<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const prev = current;
  setBackend(name);
  try {
    return await fn();
  } finally {
    current = prev;
  }
}
