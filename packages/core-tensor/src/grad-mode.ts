let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn without recording gradients (like torch.no_grad); also for async fns. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    const out = fn();
    if (out instanceof Promise) {
      // The flag is module state: keep it off until the promise settles, as callers expect.
      return out.finally(() => {
        enabled = prev;
      }) as T;
    }
    enabled = prev;
    return out;
  } catch (e) {
    enabled = prev;
    throw e;
  }
}
