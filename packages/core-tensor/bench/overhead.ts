import { Generator, randn, realize, type Tensor } from '../src/index.js';
import { fmt } from './util.js';

/** Per-realisation cost of a tiny cached graph: 10 elementwise ops on 64 floats. */
export async function benchOverhead(): Promise<void> {
  const x = randn([64], new Generator(1));
  const build = (): Tensor => x.mul(1.5).add(0.25).tanh().mul(x).sub(0.1).abs().sqrt().exp().neg().sigmoid();
  for (let i = 0; i < 50; i++) await realize(build());
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await realize(build());
  const ms = (performance.now() - t0) / n;
  console.log(`tiny graph (10 elementwise ops on 64 floats), cached: ${fmt(ms * 1000, 0)} µs per realisation (build + key + run)`);
}
