// Matmul GFLOPS from Node for MiniLM's four shapes, on ort (MLAS), onednn fp32 and onednn-bf16,
// interleaved round by round (bursts of back-to-back calls, median per call); next to each, the
// same plan timed inside the addon (no N-API, back to back) and the oneDNN implementation that
// ran (impl_info_str).
import { Generator, matmul, randn, realize, Tensor, withBackend, backends } from '@retrievals/core-tensor';
import type { OnednnBackend } from '../src/index.js';
import { median, settle } from './common.js';

const SHAPES: { name: string; a: number[]; b: number[] }[] = [
  { name: 'QKV/O  [2048,384]x[384,384]', a: [2048, 384], b: [384, 384] },
  { name: 'FFN in [2048,384]x[384,1536]', a: [2048, 384], b: [384, 1536] },
  { name: 'FFN out [2048,1536]x[1536,384]', a: [2048, 1536], b: [1536, 384] },
  { name: 'attn [768,64,64]x[768,64,64]', a: [768, 64, 64], b: [768, 64, 64] },
];

const BURST = 5;

export async function benchMatmul(rounds = 6): Promise<void> {
  console.log('\n== matmul (GFLOPS, median of interleaved rounds) ==');
  const gen = new Generator(0);
  for (const s of SHAPES) {
    const a = randn(s.a, gen), b = randn(s.b, gen);
    const M = s.a[s.a.length - 2]!, K = s.a[s.a.length - 1]!, N = s.b[s.b.length - 1]!;
    const flops = 2 * M * N * K * (s.a.length === 3 ? s.a[0]! : 1);
    const names = ['ort', 'onednn', 'onednn-bf16'];
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    // calls back to back, as the in-addon loop runs them: after settle()'s 20 ms of idle a call
    // measured the shared VM waking its vCPUs (5–15 ms for this 0.7 ms QKV product), not the matmul
    const burst = async (name: string, timed: boolean) => {
      await settle();
      await withBackend(name, async () => realize(matmul(a, b))); // wakes the threads, untimed
      for (let i = 0; i < BURST; i++) {
        const t0 = performance.now();
        await withBackend(name, async () => realize(matmul(a, b)));
        if (timed) times[name]!.push(performance.now() - t0);
      }
    };
    for (const n of names) await burst(n, false); // compile + warm
    for (let r = 0; r < rounds; r++) for (const n of names) await burst(n, true);
    const parts = names.map((n) => `${n} ${(flops / median(times[n]!) / 1e6).toFixed(0)}`);
    // the plain call: the same program's plan run in a C++ loop
    const native: string[] = [];
    for (const n of ['onednn', 'onednn-bf16']) {
      const be = backends.get(n) as OnednnBackend;
      const t = new Tensor({ shape: [...s.a.slice(0, -2), M, N], dtype: 'float32', node: { op: 'matmul', inputs: [a, b], attrs: {} } as never });
      const program = { key: `bench-mm-${s.a}-${s.b}`, feeds: [{ shape: a.shape, dtype: a.dtype }, { shape: b.shape, dtype: b.dtype }], consts: [], nodes: [{ op: 'matmul', inputs: [0, 1], attrs: {}, shape: t.shape, dtype: 'float32' }], outputs: [2] } as never;
      const feeds = [a.dataSync(), b.dataSync()];
      const ms = await be.timeNative(program, feeds, rounds);
      const impl = (await be.describe(program)).find((i) => i.kind === 'matmul')!.impl;
      const fromNode = median(times[n]!);
      native.push(`${n}: in-addon ${(flops / ms / 1e6).toFixed(0)} GFLOPS, from Node ${((ms / fromNode) * 100).toFixed(0)} % of it, impl ${impl}`);
    }
    console.log(`${s.name}: ${parts.join(' | ')}`);
    for (const line of native) console.log(`    ${line}`);
  }
}
