import { AsyncLocalStorage } from 'node:async_hooks';
import { backends, type Backend } from './backends/backend.js';

/** What a computation runs under: whether ops record gradients, and which backend realises them. */
interface ExecutionContext {
  grad: boolean;
  backend: string | undefined;
}

// Scoped per async context rather than a module flag: a training step built while another task's
// `noGrad(async …)` (an evaluation encode, a miner) is still pending must keep its gradients.
const storage = new AsyncLocalStorage<ExecutionContext>();
const processDefault: ExecutionContext = { grad: true, backend: undefined };

const current = (): ExecutionContext => storage.getStore() ?? processDefault;

export function isGradEnabled(): boolean {
  return current().grad;
}

/** Runs fn without recording gradients (torch.no_grad), sync or async; other tasks are not affected. */
export function noGrad<T>(fn: () => T): T {
  return storage.run({ ...current(), grad: false }, fn);
}

/** Runs fn with gradients recorded again (torch.enable_grad), e.g. inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  return storage.run({ ...current(), grad: true }, fn);
}

/** Runs fn (sync or async) with `name` as the backend of every realisation inside it, and only there. */
export function withBackend<T>(name: string, fn: () => T): T {
  backends.get(name);
  return storage.run({ ...current(), backend: name }, fn);
}

/** Chooses the process-wide default backend (undefined: back to RETRIEVALS_BACKEND, else `ort`). */
export function setBackend(name: string | undefined): void {
  if (name !== undefined) backends.get(name);
  processDefault.backend = name;
}

/**
 * The one place a backend is decided: an explicit name, else the innermost withBackend, else
 * setBackend's default, else RETRIEVALS_BACKEND, else `ort`.
 */
export function resolveBackend(name?: string): Backend {
  return backends.get(name ?? current().backend ?? processDefault.backend ?? process.env.RETRIEVALS_BACKEND ?? 'ort');
}

/** The backend realisations use here and now. */
export const getBackend = (): Backend => resolveBackend();
