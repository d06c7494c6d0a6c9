// One profiled encode batch (32 texts of T tokens, default 128) on a onednn backend (default
// onednn-bf16): time by instruction kind. `tsx bench/encode-profile.ts [backend] [T]`; run `pnpm bench` once first (it makes the model folder).
import { backends, noGrad, realize, Tensor, withBackend } from '@retrievals/core-tensor';
import { AutoModelForEmbedding } from '@retrievals/models';
import type { OnednnBackend } from '../src/index.js';
import { setup, timeByOp } from './common.js';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

await setup();
const dir = join(tmpdir(), 'retrievals-bench', 'minilm-onednn');
const name = process.argv[2] ?? 'onednn-bf16';
const T = Number(process.argv[3] ?? 128);
const m = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', backend: name });
const B = 32;
const ids = new BigInt64Array(B * T).map((_, i) => BigInt(1000 + (i * 7919) % 29000)), mask = new BigInt64Array(B * T).fill(1n);
const t = (buffer: BigInt64Array) => new Tensor({ shape: [B, T], dtype: 'int64', buffer });
const batch = { inputIds: t(ids), attentionMask: t(mask), tokenTypeIds: t(new BigInt64Array(B * T)), lengths: new Array<number>(B).fill(T) };
const be = backends.get(name) as OnednnBackend;
let program: Parameters<OnednnBackend['describe']>[0] | undefined;
const original = be.run;
be.run = async (p, f) => ((program = p), original.call(be, p, f));
for (let i = 0; i < 3; i++) await withBackend(name, () => noGrad(() => realize(m.forward(batch, { normalize: true }))));
be.profile(true);
const t0 = performance.now();
await withBackend(name, () => noGrad(() => realize(m.forward(batch, { normalize: true }))));
const ms = performance.now() - t0;
be.profile(false);
const rows = await be.describe(program!);
console.log(`${name} encode ${B}x${T}: ${ms.toFixed(1)} ms, kernels ${rows.reduce((s, r) => s + r.ms, 0).toFixed(1)} ms in ${rows.length}`);
for (const [op, e] of timeByOp(rows).slice(0, 14)) console.log(`  ${op.slice(0, 90)} ${e.ms.toFixed(2)} ms/${e.n}`);
