import { cpus } from 'node:os';
import { backends, installPlugin } from '@retrievals/core-tensor';
import plugin, { loadAddon, onednnAvailable } from '../src/index.js';

/** Installs the plugin (as a config's "plugins" would) and prints the machine; exits with a line when oneDNN is missing. */
export async function setup(): Promise<void> {
  const a = onednnAvailable();
  if (!a.ok) {
    console.log(`[backend-onednn bench] SKIP: ${a.reason}`);
    process.exit(0);
  }
  if (!backends.has('onednn')) await installPlugin(plugin, { backends });
  const info = loadAddon().info();
  console.log(`CPU: ${cpus()[0]?.model} × ${cpus().length}; oneDNN ${info.version}, ISA ${info.isa}, ${info.threads} OpenMP threads`);
  console.log('(2 shared cores: absolute figures are noisy; compare the ratios within one run, where each peer is interleaved)');
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A pause before each timed run: onnxruntime's intra-op threads spin-wait after a run and take the
 * cores from whatever runs next in the process (the pitfall of running ORT and oneDNN together),
 * so without it every onednn round right after an ort one is measured against spinning threads.
 */
export const settle = () => new Promise<void>((r) => setTimeout(r, 20));

/** Profiled instructions summed by op, costliest first. */
export function timeByOp(rows: readonly { op: string; ms: number }[]): [string, { ms: number; n: number }][] {
  const byOp = new Map<string, { ms: number; n: number }>();
  for (const r of rows) {
    const e = byOp.get(r.op) ?? { ms: 0, n: 0 };
    e.ms += r.ms;
    e.n++;
    byOp.set(r.op, e);
  }
  return [...byOp.entries()].sort((a, b) => b[1].ms - a[1].ms);
}
