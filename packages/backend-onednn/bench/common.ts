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
