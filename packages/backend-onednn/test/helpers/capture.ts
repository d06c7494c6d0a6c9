import { backends, withBackend, type Backend } from '@retrievals/core-tensor';

export type Program = Parameters<Backend['run']>[0];

/** Runs fn on backend `name` and returns its result with the programs the backend ran meanwhile. */
export async function capturing<T>(name: string, fn: () => Promise<T>): Promise<{ out: T; programs: Program[] }> {
  const be = backends.get(name);
  const original = be.run;
  const programs: Program[] = [];
  be.run = (p, f) => (programs.push(p), original.call(be, p, f));
  try {
    return { out: await withBackend(name, fn), programs };
  } finally {
    be.run = original;
  }
}
