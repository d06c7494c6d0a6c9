// Which operand layouts cost what inside the addon (no N-API): the backward pass's transposed
// operands (dW = xᵀ·dy, dx = dy·W) next to the forward's x·Wᵀ, fp32 and bf16, with the impl.
import { backends, Generator, randn } from '@retrievals/core-tensor';
import type { OnednnBackend } from '../src/index.js';
import { setup } from './common.js';

await setup();
const gen = new Generator(0);
const M = 2048, K = 384, N = 1536;
// [name, a shape, b shape, transpose a?, transpose b?]
const cases: [string, number[], number[], boolean, boolean][] = [
  ['x·W (plain)', [M, K], [K, N], false, false],
  ['x·Wᵀ (forward linear)', [M, K], [N, K], false, true],
  ['xᵀ·dy (weight grad)', [M, K], [M, N], true, false],
];
for (const [name, as, bs, ta, tb] of cases) {
  const a = randn(as, gen), b = randn(bs, gen);
  const la = ta ? [as[1]!, as[0]!] : as, lb = tb ? [bs[1]!, bs[0]!] : bs;
  const nodes: unknown[] = [];
  let ia = 0, ib = 1;
  if (ta) (nodes.push({ op: 'permute', inputs: [0], attrs: { perm: [1, 0] }, shape: la, dtype: 'float32' }), (ia = 2));
  if (tb) (nodes.push({ op: 'permute', inputs: [1], attrs: { perm: [1, 0] }, shape: lb, dtype: 'float32' }), (ib = 2 + nodes.length - 1));
  nodes.push({ op: 'matmul', inputs: [ia, ib], attrs: {}, shape: [la[0]!, lb[1]!], dtype: 'float32' });
  const flops = 2 * la[0]! * la[1]! * lb[1]!;
  const program = { key: `layout-${name}`, feeds: [{ shape: as, dtype: 'float32' }, { shape: bs, dtype: 'float32' }], consts: [], nodes, outputs: [2 + nodes.length - 1] } as never;
  for (const n of ['onednn', 'onednn-bf16']) {
    const be = backends.get(n) as OnednnBackend;
    const ms = await be.timeNative(program, [a.dataSync(), b.dataSync()], 10);
    const impl = (await be.describe(program)).filter((i) => i.kind === 'matmul').map((i) => i.impl);
    console.log(`${name.padEnd(24)} ${n.padEnd(12)} ${(flops / ms / 1e6).toFixed(0).padStart(5)} GFLOPS  ${ms.toFixed(2)} ms  ${impl}`);
  }
}
